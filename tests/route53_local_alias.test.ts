/**
 * Alias sets on the local Route 53 server, through the AWS SDK: AliasTarget stored and
 * listed without TTL or records, same-zone targets checked, AWS service targets accepted
 * only for their hosted zone ids and DNS name forms.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { createTestZone, withRoute53Local } from "../testing/route53_local/fixture.ts";

function alias(
  name: string,
  zoneId: string,
  dnsName: string,
  evaluate = false,
  type = "A",
): Change {
  return {
    Action: "CREATE",
    ResourceRecordSet: {
      Name: name,
      Type: type as "A",
      AliasTarget: { HostedZoneId: zoneId, DNSName: dnsName, EvaluateTargetHealth: evaluate },
    },
  };
}

async function messageOf(client: Route53Client, id: string, changes: Change[]): Promise<string> {
  try {
    await client.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: changes } }),
    );
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return "accepted";
}

Deno.test("route53-local stores and lists service aliases with EvaluateTargetHealth, no TTL, no records", () =>
  withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "shop.test");
    assertEquals(
      await messageOf(client, id, [
        alias(
          "shop.test",
          "Z35SXDOTRQ7X7K",
          "dualstack.My-LB-1234.us-east-1.elb.amazonaws.com",
          true,
        ),
        alias("nlb.shop.test", "Z26RNL4JYFTOTI", "my-nlb-0123abcd.elb.us-east-1.amazonaws.com."),
        alias("shop.test", "Z2FDTNDATAQYW2", "d123rk29d0stfj.cloudfront.net", false, "AAAA"),
        alias("www.shop.test", "Z1BKCTXD74EZPE", "s3-website-eu-west-1.amazonaws.com."),
      ]),
      "accepted",
    );
    const listed = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    const aliases = (listed.ResourceRecordSets ?? []).filter((s) => s.AliasTarget !== undefined);
    assertEquals(aliases[0], {
      Name: "shop.test.",
      Type: "A",
      AliasTarget: {
        HostedZoneId: "Z35SXDOTRQ7X7K",
        DNSName: "dualstack.my-lb-1234.us-east-1.elb.amazonaws.com.",
        EvaluateTargetHealth: true,
      },
    });
    assertEquals(aliases.map((s) => [s.Name, s.Type, s.TTL, s.ResourceRecords]), [
      ["shop.test.", "A", undefined, undefined],
      ["shop.test.", "AAAA", undefined, undefined],
      ["nlb.shop.test.", "A", undefined, undefined],
      ["www.shop.test.", "A", undefined, undefined],
    ]);
  }));

Deno.test("route53-local refuses a service alias whose name is not of that service's form, or an unknown zone id", () =>
  withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "shop.test");
    assertEquals(
      await messageOf(client, id, [alias("a.shop.test", "Z35SXDOTRQ7X7K", "d1.cloudfront.net")]),
      "InvalidChangeBatch: [Tried to create an alias that targets d1.cloudfront.net., type A in zone Z35SXDOTRQ7X7K, but the alias target name does not lie within the target zone]",
    );
    // an ELB name of another region than the id's
    assertEquals(
      await messageOf(client, id, [
        alias("a.shop.test", "Z35SXDOTRQ7X7K", "lb-1.eu-west-1.elb.amazonaws.com"),
      ]),
      "InvalidChangeBatch: [Tried to create an alias that targets lb-1.eu-west-1.elb.amazonaws.com., type A in zone Z35SXDOTRQ7X7K, but the alias target name does not lie within the target zone]",
    );
    assertEquals(
      await messageOf(client, id, [alias("a.shop.test", "ZNOSUCHZONE1", "x.example.net")]),
      "InvalidChangeBatch: [Tried to create an alias that targets x.example.net., type A in zone ZNOSUCHZONE1, but the alias target name does not lie within the target zone]",
    );
    assertEquals(
      await messageOf(client, id, [
        alias("a.shop.test", "Z2FDTNDATAQYW2", "d1.cloudfront.net", false, "TXT"),
      ]),
      "InvalidChangeBatch: [RRSet [name='a.shop.test.', type='TXT'] is an alias to CloudFront, which answers only A and AAAA (route53-local wording)]",
    );
  }));

Deno.test("route53-local needs a same-zone alias target of the alias's type, and no CNAME alias at the apex", () =>
  withRoute53Local({}, async ({ client }) => {
    const id = await createTestZone(client, "shop.test");
    assertEquals(
      await messageOf(client, id, [alias("w.shop.test", id, "shop.test")]),
      `InvalidChangeBatch: [Tried to create an alias that targets shop.test., type A in zone ${id}, but that target was not found]`,
    );
    assertEquals(
      await messageOf(client, id, [alias("shop.test", id, "w.shop.test", false, "CNAME")]),
      `InvalidChangeBatch: [RRSet of type CNAME with DNS name shop.test. is not permitted at apex in zone shop.test., Tried to create an alias that targets w.shop.test., type CNAME in zone ${id}, but that target was not found]`,
    );
    assertEquals(
      await messageOf(client, id, [
        {
          Action: "CREATE",
          ResourceRecordSet: {
            Name: "t.shop.test",
            Type: "A",
            TTL: 60,
            ResourceRecords: [{ Value: "192.0.2.1" }],
          },
        },
        alias("w.shop.test", id, "t.shop.test"),
        alias("v.shop.test", id, "w.shop.test"),
      ]),
      "accepted",
    );
  }));
