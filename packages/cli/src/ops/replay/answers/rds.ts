import { DescribeDBInstancesCommand, StartDBInstanceCommand, StopDBInstanceCommand } from "@aws-sdk/client-rds";
import { Answers } from "../recording";
import type { World } from "./world";

/** The stage's database, in the scenario's status; stopping and starting change it for the rest of the run. */
export function rdsAnswers(world: World): Answers {
  let status = world.scenario.database;
  return new Answers()
    .set(
      DescribeDBInstancesCommand,
      (input, call) => {
        call.detail += `: ${status}`;
        return { DBInstances: [{ DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: status }] };
      },
      (input) => input.DBInstanceIdentifier ?? "",
    )
    .set(
      StopDBInstanceCommand,
      (input) => {
        status = "stopping";
        return { DBInstance: { DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: status } };
      },
      (input) => input.DBInstanceIdentifier ?? "",
    )
    .set(
      StartDBInstanceCommand,
      (input) => {
        status = "starting";
        return { DBInstance: { DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: status } };
      },
      (input) => input.DBInstanceIdentifier ?? "",
    );
}
