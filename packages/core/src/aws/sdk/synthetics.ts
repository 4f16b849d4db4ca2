export { GetCanaryCommand, StartCanaryCommand, StopCanaryCommand, SyntheticsClient } from "@aws-sdk/client-synthetics";
