import { Aspects } from "aws-cdk-lib";
import { AwsSolutionsChecks, NagReportFormat } from "cdk-nag";
import type { SSTConfig } from "sst";
import { Automation } from "./stacks/Automation";
import { DEFAULT_REGION, stageSettings } from "./stacks/config";
import { Database } from "./stacks/Database";
import { Firewall } from "./stacks/Firewall";
import { Network } from "./stacks/Network";
import { suppressSstInternals } from "./stacks/nag-suppressions";
import { Observability } from "./stacks/Observability";
import { Service } from "./stacks/Service";

export const APP_NAME = "hands-off-ops";

export default {
  config(input) {
    return { name: APP_NAME, region: input.stage ? stageSettings(input.stage).region : DEFAULT_REGION };
  },
  stacks(app) {
    // Every synth, offline or by `sst deploy`, runs the AWS Solutions rules; findings are errors unless suppressed with a reason.
    Aspects.of(app).add(new AwsSolutionsChecks({ reports: true, reportFormats: [NagReportFormat.JSON] }));
    app.stack(Network).stack(Database).stack(Service).stack(Firewall).stack(Observability).stack(Automation);
    suppressSstInternals(app);
  },
} satisfies SSTConfig;
