import type { RDSClient } from "@aws-sdk/client-rds";
import { clientAtFirstUse } from "../aws/clients";
import type { DatabasePowerPort } from "./ports";

/** Stops and starts the stage's RDS instance; the plan only asks for either in a state where RDS accepts it. */
export function rdsDatabasePower(instanceIdentifier: string, given?: RDSClient): DatabasePowerPort {
  const rds = clientAtFirstUse(
    () => import("../aws/sdk/rds"),
    (sdk) => new sdk.RDSClient({}),
    given,
  );
  return {
    async status() {
      const { sdk, client } = await rds();
      const { DBInstances } = await client.send(new sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceIdentifier }));
      const status = DBInstances?.[0]?.DBInstanceStatus;
      if (!status) throw new Error(`RDS does not know DB instance ${instanceIdentifier}`);
      return status;
    },
    async stop() {
      const { sdk, client } = await rds();
      await client.send(new sdk.StopDBInstanceCommand({ DBInstanceIdentifier: instanceIdentifier }));
    },
    async start() {
      const { sdk, client } = await rds();
      await client.send(new sdk.StartDBInstanceCommand({ DBInstanceIdentifier: instanceIdentifier }));
    },
  };
}
