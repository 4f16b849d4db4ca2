/**
 * AWS Price List offer files (the Bulk API's JSON, public, no credentials), read as documented in
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-an-offer.html and
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-services.html:
 * `products` keyed by SKU (productFamily, attributes such as usagetype), `terms.OnDemand` keyed by SKU, then by
 * offer term code, each with `priceDimensions` keyed by rate code (unit, pricePerUnit, and for tiers a range).
 */
export interface OfferFile {
  formatVersion: string;
  offerCode: string;
  version: string;
  publicationDate: string;
  products: Record<string, { sku: string; productFamily?: string; attributes: Record<string, string> }>;
  terms: { OnDemand?: Record<string, Record<string, { priceDimensions: Record<string, PriceDimension> }>> };
}

export interface PriceDimension {
  rateCode?: string;
  description?: string;
  unit: string;
  pricePerUnit: Record<string, string>;
  // The files name a tier's range beginRange/endRange; the documentation's schema calls it startingRange/endingRange.
  beginRange?: string;
  startingRange?: string;
  endRange?: string;
  endingRange?: string;
}

export type ProductMatch = (attributes: Record<string, string>, productFamily: string | undefined) => boolean;

export type Found = { price: number; unit: string; sku: string } | { problem: string };

/**
 * Whether a usage type is `name` for this region: AWS prefixes most with a short region code (EUC1-, EU-, USE1-),
 * KMS with the region itself, and some us-east-1 ones with nothing. The whole rest must match, so that
 * `IA-TimedStorage-ByteHrs` is not taken for `TimedStorage-ByteHrs`, nor `RegionalNatGateway-Hours` for `NatGateway-Hours`.
 */
export function isUsageType(usagetype: string | undefined, name: string, region: string): boolean {
  if (usagetype === undefined) return false;
  if (usagetype === name || usagetype === `${region}-${name}`) return true;
  const dash = usagetype.indexOf("-");
  return dash > 0 && /^[A-Z]{2,4}\d{0,2}$/.test(usagetype.slice(0, dash)) && usagetype.slice(dash + 1) === name;
}

// A regional file can also hold other locations' products (Local Zones, Outposts, transfer to other regions).
const isInRegion = (a: Record<string, string>, region: string) =>
  (a.regionCode === undefined || a.regionCode === region) && (a.locationType === undefined || a.locationType === "AWS Region");
// Some products are billed per account, not per region (CloudWatch dashboards): no region code, location "Any".
const isGlobal = (a: Record<string, string>) => !a.regionCode && (a.location === undefined || a.location === "Any");

const startOf = (d: PriceDimension) => Number(d.beginRange ?? d.startingRange ?? 0);

/**
 * The on-demand USD price of the products that match, in the region: the first paid tier (a free tier is not
 * counted, as the estimate says). Several products may match if they agree; if they differ, that is a problem
 * to name rather than a price to pick.
 */
export function onDemandPrice(offer: OfferFile, region: string, match: ProductMatch, scope: "region" | "global" = "region"): Found {
  const found: { price: number; unit: string; sku: string }[] = [];
  for (const [sku, product] of Object.entries(offer.products)) {
    const a = product.attributes;
    if (scope === "global" ? !isGlobal(a) : !isInRegion(a, region)) continue;
    if (!match(a, product.productFamily)) continue;
    const dimensions = Object.values(offer.terms.OnDemand?.[sku] ?? {})
      .flatMap((term) => Object.values(term.priceDimensions))
      .filter((d) => d.pricePerUnit.USD !== undefined)
      .sort((x, y) => startOf(x) - startOf(y));
    const paid = dimensions.find((d) => Number(d.pricePerUnit.USD) > 0);
    if (paid) found.push({ price: Number(paid.pricePerUnit.USD), unit: paid.unit, sku });
  }
  const [first] = found;
  if (!first) return { problem: "no on-demand USD price" };
  const differing = found.filter((f) => f.price !== first.price || f.unit !== first.unit);
  if (differing.length)
    return {
      problem: `${found.length} products with different prices (${found.map((f) => `${f.sku}: ${f.price}/${f.unit}`).join(", ")})`,
    };
  return first;
}
