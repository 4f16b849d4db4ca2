import { DescribeDBInstancesCommand, RDSClient, StartDBInstanceCommand, StopDBInstanceCommand } from "@aws-sdk/client-rds";
import type { DatabasePowerPort } from "./ports";

/** Stops and starts the stage's RDS instance; the plan only asks for either in a state where RDS accepts it. */
export function rdsDatabasePower(instanceIdentifier: string, client: RDSClient = new RDSClient({})): DatabasePowerPort {
  return {
    async status() {
      const { DBInstances } = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceIdentifier }));
      const status = DBInstances?.[0]?.DBInstanceStatus;
      if (!status) throw new Error(`RDS does not know DB instance ${instanceIdentifier}`);
      return status;
    },
    async stop() {
      await client.send(new StopDBInstanceCommand({ DBInstanceIdentifier: instanceIdentifier }));
    },
    async start() {
      await client.send(new StartDBInstanceCommand({ DBInstanceIdentifier: instanceIdentifier }));
    },
  };
}
