/**
 * The AWS service endpoints an alias may target outside the account's own zones: the
 * service's hosted zone id and the form of its DNS names, from AWS's published tables
 * (General Reference: Elastic Load Balancing and Amazon S3 website endpoints;
 * CloudFront's single id). Only the regions listed here are known; an id not listed is
 * refused (a local server should fail loudly, not guess).
 *
 * @module
 */

/** The hosted zone id of every CloudFront distribution as an alias target. */
export const CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2";

/** Per region: [Application and Classic Load Balancers, Network Load Balancers, S3 website]. */
const REGIONS: Record<string, [string, string, string]> = {
  "us-east-1": ["Z35SXDOTRQ7X7K", "Z26RNL4JYFTOTI", "Z3AQBSTGFYJSTF"],
  "us-east-2": ["Z3AADJGX6KTTL2", "ZLMOA37VPKANP", "Z2O1EMRO9K5GLX"],
  "us-west-1": ["Z368ELLRRE2KJ0", "Z24FKFUX50B4VW", "Z2F56UZL2M1ACD"],
  "us-west-2": ["Z1H1FL5HABSF5", "Z18D5FSROUN65G", "Z3BJ6K6RIION7M"],
  "ca-central-1": ["ZQSVJUPU6J1EY", "Z2EPGBW3API2WT", "Z1QDHH18159H29"],
  "eu-west-1": ["Z32O12XQLNTSW2", "Z2IFOLAFXWLO4F", "Z1BKCTXD74EZPE"],
  "eu-west-2": ["ZHURV8PSTC4K8", "ZD4D7Y8KGAS4G", "Z3GKZC51ZF0DB4"],
  "eu-central-1": ["Z215JYRZR1TBD5", "Z3F0SRJ5LGBH90", "Z21DNDUVLTQW6Q"],
  "ap-south-1": ["ZP97RAFLXTNZK", "ZVDDRBQ08TROA", "Z11RGJOFQNVJUP"],
  "ap-southeast-1": ["Z1LMS91P8CMLE5", "ZKVM4W9LS7TM", "Z3O0J2DXBE1FTB"],
  "ap-southeast-2": ["Z1GM3OXH4ZPM65", "ZCT6FZBF4DROD", "Z1WCIGYICN2BYD"],
  "ap-northeast-1": ["Z14GRHDCWA56QT", "Z31USIVHYNEOWT", "Z2M4EHUR26P7ZW"],
  "sa-east-1": ["Z2P70J7HTTTPLU", "ZTK26PT1VY4CU", "Z7KQH4QJS55SO"],
};

/** A service behind a hosted zone id: its name and the DNS names it answers for. */
export interface ServiceZone {
  service: string;
  names: RegExp[];
}

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";

function build(): Map<string, ServiceZone> {
  const zones = new Map<string, ServiceZone>();
  const add = (id: string, service: string, name: RegExp) => {
    const known = zones.get(id);
    if (known === undefined) zones.set(id, { service, names: [name] });
    else known.names.push(name);
  };
  add(CLOUDFRONT_ZONE_ID, "CloudFront", new RegExp(`^${LABEL}\\.cloudfront\\.net\\.$`));
  for (const [region, [alb, nlb, s3]] of Object.entries(REGIONS)) {
    const r = region.replaceAll("-", "\\-");
    // my-lb-1234.us-east-1.elb.amazonaws.com, internal-…, dualstack.…
    add(
      alb,
      "Elastic Load Balancing",
      new RegExp(`^(?:${LABEL}\\.)+${r}\\.elb\\.amazonaws\\.com\\.$`),
    );
    // my-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com
    add(
      nlb,
      "Elastic Load Balancing",
      new RegExp(`^(?:${LABEL}\\.)+elb\\.${r}\\.amazonaws\\.com\\.$`),
    );
    // s3-website-us-east-1.amazonaws.com or s3-website.eu-central-1.amazonaws.com
    add(s3, "S3 website", new RegExp(`^(?:${LABEL}\\.)*s3-website[-.]${r}\\.amazonaws\\.com\\.$`));
  }
  return zones;
}

/** Service hosted zone id → the service and its DNS name forms. */
export const SERVICE_ZONES: ReadonlyMap<string, ServiceZone> = build();

/** Record types a service alias may have (load balancers, CloudFront, S3 answer A/AAAA). */
export const SERVICE_ALIAS_TYPES: readonly string[] = ["A", "AAAA"];
