import { Fn } from "aws-cdk-lib";
import * as logs from "aws-cdk-lib/aws-logs";
import * as wafv2 from "aws-cdk-lib/aws-wafv2";
import { type StackContext, use } from "sst/constructs";
import { type StageSettings, stageSettings } from "./config";
import { Network, natPublicIps } from "./Network";
import { Service } from "./Service";

type Rule = wafv2.CfnWebACL.RuleProperty;

/**
 * A WAF web ACL in front of the ALB: AWS managed rule groups, a per-IP rate limit, an optional country allow list,
 * and an optional human check on writes.
 */
export function Firewall({ stack }: StackContext) {
  const { firewall, service, domain } = stageSettings(stack.stage);
  const { loadBalancer } = use(Service);
  const { vpc } = use(Network);

  const managed = [
    "AWSManagedRulesAmazonIpReputationList",
    ...(firewall.blockAnonymousIps ? ["AWSManagedRulesAnonymousIpList"] : []),
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
  ];
  const ipAllowList =
    firewall.allowedIpCidrs.length > 0
      ? new wafv2.CfnIPSet(stack, "AllowedIps", { scope: "REGIONAL", ipAddressVersion: "IPV4", addresses: firewall.allowedIpCidrs })
      : undefined;
  // With an allow list, or the anonymous-IP rules (whose HostingProviderIPList holds cloud providers' addresses, AWS's
  // among them), the canary hooks and the deploy smoke (leaving through the NAT gateways) must still reach the service.
  const ownNat =
    ipAllowList || firewall.allowedCountries.length > 0 || firewall.blockAnonymousIps
      ? new wafv2.CfnIPSet(stack, "OwnNatGateways", {
          scope: "REGIONAL",
          ipAddressVersion: "IPV4",
          addresses: natPublicIps(vpc).map((ip) => `${ip}/32`),
        })
      : undefined;
  const rules: Rule[] = [
    ...(ownNat ? [ownNatRule(ownNat)] : []),
    ...(ipAllowList ? [ipAllowListRule(ipAllowList)] : []),
    ...(firewall.allowedCountries.length > 0 ? [countryAllowList(firewall.allowedCountries)] : []),
    ...managed.map(
      (name): Rule => ({
        name,
        priority: 0,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name } },
        visibilityConfig: visibility(name),
      }),
    ),
    ...humanCheckRules(firewall.humanCheck),
    {
      name: "RateLimitPerIp",
      priority: 0,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: firewall.rateLimitPer5MinPerIp, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
      visibilityConfig: visibility("RateLimitPerIp"),
    },
  ].map((rule, index) => ({ ...rule, priority: index }));

  const webAclName = stack.stackName;
  const webAcl = new wafv2.CfnWebACL(stack, "WebAcl", {
    name: webAclName,
    scope: "REGIONAL",
    defaultAction: { allow: {} },
    description: `Protects the ${stack.stage} load balancer`,
    rules,
    visibilityConfig: visibility("WebAcl"),
    ...(firewall.humanCheck.action === "off" ? {} : humanCheckConfig(firewall.humanCheck, domain?.name)),
  });
  new wafv2.CfnWebACLAssociation(stack, "LoadBalancerAssociation", {
    resourceArn: loadBalancer.loadBalancerArn,
    webAclArn: webAcl.attrArn,
  });

  const logGroup = new logs.LogGroup(stack, "WafLogs", {
    // WAF only delivers to log groups whose name starts with this prefix. Production keeps its logs when the stack is
    // removed, so the name ends with the stack's own id (a UUID, new at every create): a fixed name would make the
    // next create of the stage fail with "already exists".
    logGroupName: `aws-waf-logs-${stack.stackName}-${Fn.select(2, Fn.split("/", stack.stackId))}`,
    retention: service.logRetentionDays,
  });
  new wafv2.CfnLoggingConfiguration(stack, "WafLogging", {
    resourceArn: webAcl.attrArn,
    logDestinationConfigs: [logGroup.logGroupArn],
    redactedFields: [{ singleHeader: { Name: "authorization" } }, { singleHeader: { Name: "cookie" } }],
  });

  return { webAcl, webAclName };
}

function ownNatRule(ipSet: wafv2.CfnIPSet): Rule {
  return {
    name: "OwnNatGateways",
    priority: 0,
    action: { allow: {} },
    statement: { ipSetReferenceStatement: { arn: ipSet.attrArn } },
    visibilityConfig: visibility("OwnNatGateways"),
  };
}

function ipAllowListRule(ipSet: wafv2.CfnIPSet): Rule {
  return {
    name: "AllowedIpsOnly",
    priority: 0,
    action: { block: {} },
    statement: { notStatement: { statement: { ipSetReferenceStatement: { arn: ipSet.attrArn } } } },
    visibilityConfig: visibility("AllowedIpsOnly"),
  };
}

function countryAllowList(countryCodes: string[]): Rule {
  return {
    name: "AllowedCountriesOnly",
    priority: 0,
    action: { block: {} },
    statement: { notStatement: { statement: { geoMatchStatement: { countryCodes } } } },
    visibilityConfig: visibility("AllowedCountriesOnly"),
  };
}

function visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
  return { metricName, cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true };
}

type HumanCheck = StageSettings["firewall"]["humanCheck"];

const isMethod = (method: string): wafv2.CfnWebACL.StatementProperty => ({
  byteMatchStatement: {
    fieldToMatch: { method: {} },
    positionalConstraint: "EXACTLY",
    searchString: method,
    textTransformations: [{ priority: 0, type: "NONE" }],
  },
});
const path = (positionalConstraint: "EXACTLY" | "STARTS_WITH", searchString: string): wafv2.CfnWebACL.StatementProperty => ({
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint,
    searchString,
    textTransformations: [{ priority: 0, type: "NONE" }],
  },
});

/**
 * The human check: writes to the API (POST /api/…) need a token from a
 * solved check, always or above a rate per address; the voting page, when a
 * write is refused, reloads itself at `/?human=1`, where the firewall shows
 * the check, and sends the write again (service/src/page.ts). A fetch cannot
 * show a CAPTCHA itself: the check lives on a page load.
 */
function humanCheckRules(check: HumanCheck): Rule[] {
  if (check.action === "off") return [];
  const action = check.action === "captcha" ? { captcha: {} } : { challenge: {} };
  const writes: wafv2.CfnWebACL.StatementProperty = { andStatement: { statements: [isMethod("POST"), path("STARTS_WITH", "/api/")] } };
  const page: wafv2.CfnWebACL.StatementProperty = {
    andStatement: {
      statements: [
        isMethod("GET"),
        path("EXACTLY", "/"),
        {
          byteMatchStatement: {
            fieldToMatch: { queryString: {} },
            positionalConstraint: "CONTAINS",
            searchString: "human=1",
            textTransformations: [{ priority: 0, type: "NONE" }],
          },
        },
      ],
    },
  };
  return [
    { name: "HumanCheckPage", priority: 0, action, statement: page, visibilityConfig: visibility("HumanCheckPage") },
    {
      name: "HumanCheckWrites",
      priority: 0,
      action,
      statement:
        check.writes === "always"
          ? writes
          : {
              rateBasedStatement: {
                limit: check.writesPer5MinPerIp,
                aggregateKeyType: "IP",
                evaluationWindowSec: 300,
                scopeDownStatement: writes,
              },
            },
      visibilityConfig: visibility("HumanCheckWrites"),
    },
  ];
}

/** How long a solved check lasts, and the domain its token is for (the stage's own name, where it has one). */
function humanCheckConfig(check: HumanCheck, domain: string | undefined) {
  const immunity = { immunityTimeProperty: { immunityTime: check.immunityMinutes * 60 } };
  return {
    ...(check.action === "captcha" ? { captchaConfig: immunity } : { challengeConfig: immunity }),
    ...(domain ? { tokenDomains: [domain] } : {}),
  };
}
