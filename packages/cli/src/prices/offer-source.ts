import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { OfferFile } from "@hands-off-ops/core/cost/offer-file";
import type { ServiceCode } from "@hands-off-ops/core/cost/price-sources";

/** AWS's public offer index: no credentials (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-the-offer-index.html). */
export const OFFER_INDEX_URL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json";

export interface OfferSource {
  /** The service's offer file for one region, and where it came from; undefined when there is none. */
  regional(service: ServiceCode): Promise<{ offer: OfferFile; from: string } | undefined>;
  /** The service's all-regions file (for what is billed per account), when there is one. */
  global(service: ServiceCode): Promise<{ offer: OfferFile; from: string } | undefined>;
}

export class OfferSourceError extends Error {
  override name = "OfferSourceError";
}

/** Offer files downloaded beforehand: <dir>/<ServiceCode>.json for the region, <dir>/<ServiceCode>.global.json for all regions. */
export function offersInDirectory(dir: string): OfferSource {
  const read = async (file: string) => {
    if (!existsSync(file)) return undefined;
    try {
      return { offer: JSON.parse(readFileSync(file, "utf8")) as OfferFile, from: file };
    } catch (error) {
      throw new OfferSourceError(`${file} is not an offer file (${(error as Error).message})`);
    }
  };
  return {
    regional: (service) => read(path.join(dir, `${service}.json`)),
    global: (service) => read(path.join(dir, `${service}.global.json`)),
  };
}

interface OfferIndex {
  offers: Record<string, { currentVersionUrl: string; currentRegionIndexUrl?: string }>;
}
interface RegionIndex {
  regions: Record<string, { regionCode: string; currentVersionUrl: string }>;
}

/**
 * The Bulk API, through global fetch: the offer index → per service `currentRegionIndexUrl` → the region's
 * `currentVersionUrl` (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/service-region-infex-file-for-service.html).
 */
export function offersFromPriceList(region: string, fetchJson = getJson): OfferSource {
  const base = new URL(OFFER_INDEX_URL);
  let index: Promise<OfferIndex> | undefined;
  const offerOf = async (service: ServiceCode) => {
    index ??= fetchJson<OfferIndex>(OFFER_INDEX_URL);
    return (await index).offers[service];
  };
  return {
    async regional(service) {
      const offer = await offerOf(service);
      if (!offer?.currentRegionIndexUrl) return undefined;
      const regions = await fetchJson<RegionIndex>(new URL(offer.currentRegionIndexUrl, base).href);
      const entry = regions.regions[region];
      if (!entry) return undefined;
      const url = new URL(entry.currentVersionUrl, base).href;
      return { offer: await fetchJson<OfferFile>(url), from: url };
    },
    async global(service) {
      const offer = await offerOf(service);
      if (!offer) return undefined;
      const url = new URL(offer.currentVersionUrl, base).href;
      return { offer: await fetchJson<OfferFile>(url), from: url };
    },
  };
}

export async function getJson<T>(url: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new OfferSourceError(
      `Cannot reach ${url} (${cause?.code ?? cause?.message ?? (error as Error).message}). Without network, download the offer files ` +
        "elsewhere (see docs/cost.md) and pass --offers <dir>.",
    );
  }
  if (!response.ok) throw new OfferSourceError(`${url} answered ${response.status} ${response.statusText}`);
  return (await response.json()) as T;
}
