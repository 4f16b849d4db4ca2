import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isUsageType, type OfferFile, onDemandPrice } from "@hands-off-ops/core/cost/offer-file";
import { type Offers, priceTableFromOffers, SERVICES } from "@hands-off-ops/core/cost/price-sources";
import { EU_CENTRAL_1 } from "@hands-off-ops/core/cost/prices/eu-central-1";
import { registerTable, tableModule } from "@hands-off-ops/core/cost/table-source";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../packages/cli/src/prices/main";
import { getJson, OfferSourceError, offersFromPriceList } from "../../../packages/cli/src/prices/offer-source";
import { CLOUDWATCH_ALL_REGIONS, OFFERS } from "../../fixtures/price-list/eu-central-1";

// The offer files here are hand-written in AWS's documented format (see tests/fixtures/price-list/eu-central-1.ts):
// there is no network to download real ones, and the real ones are tens to hundreds of MB.
const CLASSES = Object.keys(EU_CENTRAL_1.postgresInstanceHour);
const ALL: Offers = { regional: OFFERS, global: { AmazonCloudWatch: CLOUDWATCH_ALL_REGIONS } };
const read = (offers: Offers = ALL) => priceTableFromOffers("eu-central-1", offers, CLASSES, "test source");
const without = (service: keyof typeof OFFERS, skus: string[]): Offers => {
  const offer = structuredClone(OFFERS[service]);
  for (const sku of skus) delete offer.products[sku];
  return { ...ALL, regional: { ...OFFERS, [service]: offer } };
};

describe("a price table read from AWS's offer files", () => {
  it("gives the committed eu-central-1 table back from files holding its figures (round trip)", () => {
    const result = read();
    expect("missing" in result ? result.missing : []).toEqual([]);
    if (!("table" in result)) return;
    // The oldest publicationDate of the files read: the load balancers' file, 2026-11-15.
    expect(result.table).toEqual({ ...EU_CENTRAL_1, source: "test source", checked: "2026-11-15" });
  });

  it("takes ARM Fargate and arm64 Lambda, Single-AZ PostgreSQL, gp3, and the first paid tier, not their look-alikes", () => {
    const result = read();
    if (!("table" in result)) throw new Error(result.missing.join("\n"));
    const t = result.table;
    expect([t.fargate.vcpuHour, t.fargate.gbHour]).toEqual([0.03725, 0.00409]); // not x86's 0.04656 / 0.00511
    expect(t.postgresInstanceHour["t4g.micro"]).toBe(0.019); // not Multi-AZ 0.038, MySQL 0.018, Aurora 0.021
    expect(t.lambda.arm64GbSecond).toBe(0.0000133334); // not x86's 0.0000166667
    expect(t.dynamodb.storageGbMonth).toBe(0.306); // beyond the free 25 GB; not Infrequent Access
    expect(t.cloudwatch.alarmMonth).toBe(0.1); // beyond the free ten
    expect(t.interfaceEndpoint.gbProcessed).toBe(0.01); // the first tier, wherever it sits in the file
    expect(t.alb.hour).toBe(0.027); // not the Network Load Balancer's hour, nor the Hamburg Local Zone's
    expect(t.waf.perMillionRequests).toBe(0.6); // per request × 1e6, without binary noise
  });

  it("names every figure it cannot find, and where it looked", () => {
    const result = read(without("AmazonECS", ["FARGATEARMCPU"]));
    expect(result).toEqual({
      missing: ["fargate.vcpuHour: AmazonECS usage type Fargate-ARM-vCPU-Hours:perCPU: no on-demand USD price"],
    });
    const fewer = read({ regional: { ...OFFERS, AmazonRDS: undefined, awskms: undefined }, global: ALL.global });
    expect("missing" in fewer && fewer.missing).toEqual([
      'postgresInstanceHour["t4g.micro"]: AmazonRDS "Database Instance" usage type InstanceUsage:db.t4g.micro: no AmazonRDS offer file for eu-central-1',
      'postgresInstanceHour["t4g.small"]: AmazonRDS "Database Instance" usage type InstanceUsage:db.t4g.small: no AmazonRDS offer file for eu-central-1',
      'postgresInstanceHour["t4g.medium"]: AmazonRDS "Database Instance" usage type InstanceUsage:db.t4g.medium: no AmazonRDS offer file for eu-central-1',
      'postgresInstanceHour["m7g.large"]: AmazonRDS "Database Instance" usage type InstanceUsage:db.m7g.large: no AmazonRDS offer file for eu-central-1',
      'postgresInstanceHour["m7g.xlarge"]: AmazonRDS "Database Instance" usage type InstanceUsage:db.m7g.xlarge: no AmazonRDS offer file for eu-central-1',
      'postgresStorageGbMonth: AmazonRDS "Database Storage" usage type RDS:GP3-Storage: no AmazonRDS offer file for eu-central-1',
      'backupGbMonth: AmazonRDS "Storage Snapshot" usage type RDS:ChargedBackupUsage: no AmazonRDS offer file for eu-central-1',
      "kmsKeyMonth: awskms usage type KMS-Keys: no AmazonRDS offer file for eu-central-1".replace("AmazonRDS", "awskms"),
    ]);
    const noDashboards = read({ regional: OFFERS });
    expect("missing" in noDashboards && noDashboards.missing).toEqual([
      "cloudwatch.dashboardMonth: AmazonCloudWatch usage type DashboardsUsageHour: no on-demand USD price",
    ]);
  });

  it("refuses two different prices for one figure, and a figure in another unit than the table's", () => {
    const rds = structuredClone(OFFERS.AmazonRDS);
    const twin = structuredClone(rds.products.RDSPostgreSQLSingleAZt4gmicro);
    if (!twin) throw new Error("fixture");
    rds.products.TWIN = { ...twin, sku: "TWIN" };
    rds.terms.OnDemand = {
      ...rds.terms.OnDemand,
      TWIN: { "TWIN.T": { priceDimensions: { R: { unit: "Hrs", pricePerUnit: { USD: "0.021" } } } } },
    };
    const twice = read({ ...ALL, regional: { ...OFFERS, AmazonRDS: rds } });
    expect("missing" in twice && twice.missing).toEqual([
      expect.stringMatching(
        /^postgresInstanceHour\["t4g\.micro"\]: .*2 products with different prices \(RDSPostgreSQLSingleAZt4gmicro: 0\.019\/Hrs, TWIN: 0\.021\/Hrs\)$/,
      ),
    ]);
    const waf = structuredClone(OFFERS.awswaf);
    const dimension = Object.values(waf.terms.OnDemand?.REQUEST1?.["REQUEST1.JRTCKXETXF"]?.priceDimensions ?? {})[0];
    if (!dimension) throw new Error("fixture");
    dimension.unit = "1M Requests";
    const units = read({ ...ALL, regional: { ...OFFERS, awswaf: waf } });
    expect("missing" in units && units.missing).toEqual([
      'waf.perMillionRequests: awswaf RequestV2-Tier1 is priced per "1M Requests", not the unit the table holds (/^(requests?|(read|write)requestunits)$/i)',
    ]);
  });

  it("reads a usage type only with its own region's prefix, and whole", () => {
    expect(isUsageType("EUC1-NatGateway-Hours", "NatGateway-Hours", "eu-central-1")).toBe(true);
    expect(isUsageType("NatGateway-Hours", "NatGateway-Hours", "us-east-1")).toBe(true);
    expect(isUsageType("eu-west-1-KMS-Keys", "KMS-Keys", "eu-west-1")).toBe(true);
    expect(isUsageType("EUC1-IA-TimedStorage-ByteHrs", "TimedStorage-ByteHrs", "eu-central-1")).toBe(false);
    expect(isUsageType("EUC1-RegionalNatGateway-Hours", "NatGateway-Hours", "eu-central-1")).toBe(false);
    expect(isUsageType(undefined, "NatGateway-Hours", "eu-central-1")).toBe(false);
    // A product of another region in the file (inter-region transfer and the like) is never this region's price.
    const elsewhere = structuredClone(OFFERS.AmazonEC2);
    for (const p of Object.values(elsewhere.products)) p.attributes.regionCode = "eu-west-1";
    expect(onDemandPrice(elsewhere, "eu-central-1", (a) => a.usagetype === "EUC1-NatGateway-Hours")).toEqual({
      problem: "no on-demand USD price",
    });
  });
});

describe("the table's module and its registration", () => {
  it("writes a module that gives the table back, and registers it once in prices/index.ts, in order", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "prices-"));
    const file = path.join(dir, "eu-central-1.ts");
    writeFileSync(file, tableModule(EU_CENTRAL_1));
    const written = (await import(file)) as Record<string, unknown>;
    expect(written.EU_CENTRAL_1).toEqual(EU_CENTRAL_1);

    const index = readFileSync(path.resolve(import.meta.dirname, "../../../packages/core/src/cost/prices/index.ts"), "utf8");
    const registered = registerTable(index, "eu-west-1");
    expect(registered).toContain(
      'import { EU_CENTRAL_1 } from "./eu-central-1";\nimport { EU_WEST_1 } from "./eu-west-1";\nimport { US_EAST_1 } from "./us-east-1";',
    );
    // Three tables make the line longer than 140 characters: one entry a line, as the formatter has it.
    expect(registered).toContain('= {\n  "eu-central-1": EU_CENTRAL_1,\n  "eu-west-1": EU_WEST_1,\n  "us-east-1": US_EAST_1,\n};');
    expect(registerTable(registered, "eu-west-1")).toBe(registered);
    expect(registered.split("\n").length).toBe(index.split("\n").length + 5);
  });
});

describe("npm run prices", () => {
  afterEach(() => vi.restoreAllMocks());
  const quiet = () => {
    const out: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
    vi.spyOn(console, "error").mockImplementation((line: string) => void out.push(line));
    return out;
  };
  const offersDir = (offers: Partial<Record<string, OfferFile>>) => {
    const dir = mkdtempSync(path.join(tmpdir(), "offers-"));
    for (const [service, offer] of Object.entries(offers)) writeFileSync(path.join(dir, `${service}.json`), JSON.stringify(offer));
    writeFileSync(path.join(dir, "AmazonCloudWatch.global.json"), JSON.stringify(CLOUDWATCH_ALL_REGIONS));
    return dir;
  };
  const pricesDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "prices-"));
    const index = path.resolve(import.meta.dirname, "../../../packages/core/src/cost/prices/index.ts");
    writeFileSync(path.join(dir, "index.ts"), readFileSync(index, "utf8"));
    return dir;
  };

  it("writes <region>.ts from downloaded offer files, with their names as source and their date as checked, and registers it", async () => {
    const out = quiet();
    const prices = pricesDir();
    expect(await main(["--region", "eu-central-1", "--offers", offersDir(OFFERS), "--prices-dir", prices])).toBe(0);
    const written = (await import(path.join(prices, "eu-central-1.ts"))) as { EU_CENTRAL_1: typeof EU_CENTRAL_1 };
    const { source, checked, ...figures } = written.EU_CENTRAL_1;
    const { source: _s, checked: _c, ...committed } = EU_CENTRAL_1;
    expect(figures).toEqual(committed);
    expect(checked).toBe("2026-11-15");
    expect(source).toMatch(
      /^AWS Price List offer files for eu-central-1, on-demand, downloaded from https:\/\/pricing\.us-east-1\.amazonaws\.com\/offers\/v1\.0\/aws\/index\.json: AmazonECS\.json, /,
    );
    expect(source).toContain("AmazonCloudWatch.global.json");
    expect(readFileSync(path.join(prices, "index.ts"), "utf8")).toContain('"eu-central-1": EU_CENTRAL_1');
    expect(out.join("\n")).toContain(
      "schedule.prices) would be: fargateVcpuHour 0.03725, fargateGbHour 0.00409, databaseInstanceHour 0.019 (db.t4g.micro)",
    );
  });

  it("writes nothing and exits 1 naming each figure missing; refuses a region that is not one", async () => {
    const out = quiet();
    const prices = pricesDir();
    const { AmazonDynamoDB: _gone, ...fewer } = OFFERS;
    expect(await main(["--region", "eu-central-1", "--offers", offersDir(fewer), "--prices-dir", prices])).toBe(1);
    expect(out.join("\n")).toContain("No table written for eu-central-1: 3 figure(s) not found in the offer files:");
    expect(out.join("\n")).toContain(
      "  - dynamodb.perMillionWrites: AmazonDynamoDB usage type WriteRequestUnits: no AmazonDynamoDB offer file for eu-central-1",
    );
    expect(readdirSync(prices)).toEqual(["index.ts"]);
    expect(await main(["--region", "Frankfurt"])).toBe(2);
  });

  it("follows the offer index to the region's offer file, as AWS documents it", async () => {
    const fetched: string[] = [];
    const files: Record<string, unknown> = {
      "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json": {
        offers: {
          AWSELB: {
            offerCode: "AWSELB",
            currentVersionUrl: "/offers/v1.0/aws/AWSELB/current/index.json",
            currentRegionIndexUrl: "/offers/v1.0/aws/AWSELB/current/region_index.json",
          },
        },
      },
      "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSELB/current/region_index.json": {
        regions: {
          "eu-central-1": {
            regionCode: "eu-central-1",
            currentVersionUrl: "/offers/v1.0/aws/AWSELB/20261115000000/eu-central-1/index.json",
          },
        },
      },
      "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSELB/20261115000000/eu-central-1/index.json": OFFERS.AWSELB,
    };
    const source = offersFromPriceList("eu-central-1", async <T>(url: string) => {
      fetched.push(url);
      if (!(url in files)) throw new OfferSourceError(`no ${url}`);
      return files[url] as T;
    });
    const elb = await source.regional("AWSELB");
    expect(elb?.from).toBe("https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSELB/20261115000000/eu-central-1/index.json");
    expect(elb?.offer.publicationDate).toBe("2026-11-15T00:00:00Z");
    expect(await source.regional("AmazonECS")).toBeUndefined();
    expect(fetched.filter((u) => u.endsWith("/aws/index.json"))).toHaveLength(1);
    expect(SERVICES).toContain("AWSELB");
  });

  it("says plainly when the price list cannot be reached, and how to do without the network", async () => {
    // .invalid never resolves (RFC 6761), so this fails the same way offline and on: as a machine without network does.
    await expect(getJson("https://pricing.invalid/offers/v1.0/aws/index.json")).rejects.toThrow(
      /^Cannot reach https:\/\/pricing\.invalid\/offers\/v1\.0\/aws\/index\.json \((ENOTFOUND|EAI_AGAIN)\)\. Without network, download the offer files elsewhere \(see docs\/cost\.md\) and pass --offers <dir>\.$/,
    );
  });
});
