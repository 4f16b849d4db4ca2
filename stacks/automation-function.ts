import type * as lambda from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import { type FunctionProps, Function as SstFunction } from "sst/constructs";

/**
 * What a stack says of one of its Lambdas: the handler as "functions/<file>.<export>", its memory, its timeout in
 * seconds, a description, its environment, its name where another stack or a person names it, and its network
 * where it must reach inside the VPC: CDK's own lambda.FunctionProps names and meanings. How every one is built
 * (runtime, architecture, bundling) is LAMBDA_DEFAULTS, which sst.config.ts sets for the app.
 */
export type AutomationFunctionProps = Required<Pick<FunctionProps, "handler" | "memorySize" | "timeout" | "description">> &
  Pick<FunctionProps, "environment" | "functionName" | "vpc" | "vpcSubnets" | "securityGroups">;

/**
 * The one place the stacks make a Lambda, through SST v2's Function (it bundles the handler with esbuild and wires
 * `sst dev`'s live Lambda). What comes back is a CDK lambda.Function, which is all the rest of the stacks use: were
 * SST v2 to go, this file and the stack functions' StackContext and use() are what change.
 */
export function automationFunction(scope: Construct, id: string, props: AutomationFunctionProps): lambda.Function {
  return new SstFunction(scope, id, props);
}
