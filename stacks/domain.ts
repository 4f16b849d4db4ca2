import * as acm from "aws-cdk-lib/aws-certificatemanager";
import type * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as route53 from "aws-cdk-lib/aws-route53";
import { LoadBalancerTarget } from "aws-cdk-lib/aws-route53-targets";
import type { Construct } from "constructs";
import type { StageSettings } from "./config";

type Domain = NonNullable<StageSettings["domain"]>;

/**
 * The stage's certificate: imported by ARN, or made here and validated
 * through the stage's Route 53 zone, with the alias record that sends the
 * name to the load balancer (A; AAAA too when the load balancer is dual-stack).
 */
export function stageCertificate(scope: Construct, domain: Domain): acm.ICertificate {
  if ("certificateArn" in domain) return acm.Certificate.fromCertificateArn(scope, "Certificate", domain.certificateArn);
  return new acm.Certificate(scope, "Certificate", {
    domainName: domain.name,
    validation: acm.CertificateValidation.fromDns(hostedZone(scope, domain)),
  });
}

export function aliasRecords(scope: Construct, domain: Domain, loadBalancer: elbv2.ApplicationLoadBalancer) {
  if ("certificateArn" in domain) return [];
  const zone = hostedZone(scope, domain);
  const target = route53.RecordTarget.fromAlias(new LoadBalancerTarget(loadBalancer));
  const records: route53.RecordSet[] = [new route53.ARecord(scope, "AliasIpv4", { zone, recordName: domain.name, target })];
  if (loadBalancer.ipAddressType === "dualstack")
    records.push(new route53.AaaaRecord(scope, "AliasIpv6", { zone, recordName: domain.name, target }));
  return records;
}

function hostedZone(scope: Construct, domain: Extract<Domain, { hostedZone: unknown }>): route53.IHostedZone {
  // The zone's id and name from the settings: no lookup, so that synth stays offline.
  const existing = scope.node.tryFindChild("HostedZone") as route53.IHostedZone | undefined;
  return (
    existing ??
    route53.HostedZone.fromHostedZoneAttributes(scope, "HostedZone", {
      hostedZoneId: domain.hostedZone.id,
      zoneName: domain.hostedZone.name,
    })
  );
}
