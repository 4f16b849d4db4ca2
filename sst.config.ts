import { DEPLOY_ACCESS_STAGE } from "@hands-off-ops/core/settings/deploy-access";
import { Aspects } from "aws-cdk-lib";
import { AwsSolutionsChecks, NagReportFormat } from "cdk-nag";
import type { SSTConfig } from "sst";
import { Automation } from "./stacks/Automation";
import { DEFAULT_REGION, stageSettings } from "./stacks/config";
import { Database } from "./stacks/Database";
import { Firewall } from "./stacks/Firewall";
import { GitHubAccess } from "./stacks/GitHubAccess";
import { LAMBDA_DEFAULTS } from "./stacks/lambda-defaults";
import { LeaveNothingBehind } from "./stacks/leave-nothing-behind";
import { Network } from "./stacks/Network";
import { suppressSstInternals } from "./stacks/nag-suppressions";
import { APP_NAME } from "./stacks/names";
import { Observability } from "./stacks/Observability";
import { Service } from "./stacks/Service";

export default {
  config(input) {
    const region = input.stage && input.stage !== DEPLOY_ACCESS_STAGE ? stageSettings(input.stage).region : DEFAULT_REGION;
    return { name: APP_NAME, region };
  },
  stacks(app) {
    // Every synth, offline or by `sst deploy`, runs the AWS Solutions rules; findings are errors unless suppressed with a reason.
    Aspects.of(app).add(new AwsSolutionsChecks({ reports: true, reportFormats: [NagReportFormat.JSON] }));
    // Deployed once per AWS account by an admin: what GitHub Actions may do there (docs/delivery.md).
    if (app.stage === DEPLOY_ACCESS_STAGE) {
      app.stack(GitHubAccess);
      suppressSstInternals(app);
      return;
    }
    app.setDefaultFunctionProps(LAMBDA_DEFAULTS);
    if (stageSettings(app.stage).kind !== "production") Aspects.of(app).add(new LeaveNothingBehind());
    app.stack(Network);
    // A stage whose services keep no state has no database (database.enabled): no stack, alarm, sleep or cost of it.
    if (stageSettings(app.stage).database.enabled) app.stack(Database);
    app.stack(Service).stack(Firewall).stack(Observability).stack(Automation);
    suppressSstInternals(app);
  },
} satisfies SSTConfig;
