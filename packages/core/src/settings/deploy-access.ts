import * as z from "zod";

/**
 * Who may deploy which stage from GitHub Actions, for one AWS account: the
 * `github-access` entry of that account's settings file, deployed once by an
 * admin (`npx sst deploy --stage github-access`). Each stage listed gets a
 * role that only a workflow job of this repository running in the GitHub
 * environment of the same name can assume.
 */
export const DEPLOY_ACCESS_STAGE = "github-access";
export const DEPLOYABLE_STAGES = ["dev", "staging", "prod", "preview"] as const;
export type DeployableStage = (typeof DEPLOYABLE_STAGES)[number];

export const DeployAccessSchema = z
  .strictObject({
    /** owner/name of the GitHub repository whose workflows deploy. */
    repository: z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, "must be owner/name, e.g. acme/hands-off-ops"),
    /** The stages deployed to this account; "preview" covers every pr-<number> stage. */
    stages: z.array(z.enum(DEPLOYABLE_STAGES)).min(1),
    /** An account has one GitHub OIDC provider: name it here when another stack already created it. */
    existingProviderArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/,
        "must be the ARN of the GitHub OIDC provider",
      )
      .nullable()
      .default(null),
  })
  .superRefine((access, ctx) => {
    if (new Set(access.stages).size !== access.stages.length)
      ctx.addIssue({ code: "custom", path: ["stages"], message: "names a stage twice" });
    if (access.stages.includes("prod") && access.stages.includes("preview"))
      ctx.addIssue({
        code: "custom",
        path: ["stages"],
        message: "prod and preview must not share an account: pull-request previews never run where production does",
      });
  });
export type DeployAccess = z.infer<typeof DeployAccessSchema>;
