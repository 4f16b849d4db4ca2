import * as logs from "aws-cdk-lib/aws-logs";
import * as wafv2 from "aws-cdk-lib/aws-wafv2";
import { type StackContext, use } from "sst/constructs";
import { stageSettings } from "./config";
import { Network, natPublicIps } from "./Network";
import { Service } from "./Service";

type Rule = wafv2.CfnWebACL.RuleProperty;

/** A WAF web ACL in front of the ALB: AWS managed rule groups, a per-IP rate limit, an optional country allow list. */
export function Firewall({ stack }: StackContext) {
  const { firewall, service } = stageSettings(stack.stage);
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
  // With an allow list, the canary hooks (leaving through the NAT gateways) must still reach the production listener.
  const ownNat =
    ipAllowList || firewall.allowedCountries.length > 0
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
  });
  new wafv2.CfnWebACLAssociation(stack, "LoadBalancerAssociation", {
    resourceArn: loadBalancer.loadBalancerArn,
    webAclArn: webAcl.attrArn,
  });

  const logGroup = new logs.LogGroup(stack, "WafLogs", {
    // WAF only delivers to log groups whose name starts with this prefix.
    logGroupName: `aws-waf-logs-${stack.stackName}`,
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
