// Postmark's official Node client (npm "postmark") against Postroom: only the host and the server token differ
// from a Postmark setup. Run by PostmarkNodeClientTest, which checks the JSON this prints.
const postmark = require("postmark");

const client = new postmark.ServerClient(process.env.POSTROOM_TOKEN, {
  requestHost: process.env.POSTROOM_HOST,
  useHttps: false,
  timeout: 60,
});
const run = process.env.POSTROOM_RUN;

async function refused(send) {
  try {
    await send();
    return { refused: false };
  } catch (e) {
    return { refused: true, name: e.name, code: e.code, status: e.statusCode, message: e.message };
  }
}

(async () => {
  const out = {};
  out.single = await client.sendEmail({
    From: "Billing <billing@postroom.test>",
    To: `node-${run}@postroom.test`,
    Subject: `From Node ${run}`,
    HtmlBody: "<p>Hello <img src=\"cid:logo\"></p>",
    TextBody: "Hello",
    Tag: "node",
    Metadata: { run },
    Headers: [{ Name: "X-Client", Value: "node" }],
    Attachments: [
      { Name: "logo.png", Content: Buffer.from("PNG").toString("base64"), ContentType: "image/png", ContentID: "cid:logo" },
      { Name: "note.txt", Content: Buffer.from("a note").toString("base64"), ContentType: "text/plain" },
    ],
  });

  const batch = [];
  for (let i = 0; i < 500; i++) {
    batch.push({
      From: "noreply@postroom.test", To: `crew${i % 5}@postroom.test`, Subject: `Node batch ${run} #${i}`,
      TextBody: `Run ${i}`,
      Attachments: [{ Name: `run-${i}.txt`, Content: Buffer.from(`run ${i}`).toString("base64"), ContentType: "text/plain" }],
    });
  }
  const started = Date.now();
  const results = await client.sendEmailBatch(batch);
  out.batch = { count: results.length, ok: results.filter((r) => r.ErrorCode === 0).length, ms: Date.now() - started };

  await client.createTemplate({
    Name: "Receipt", Alias: `receipt-${run}`, Subject: "Receipt {{number}}",
    HtmlBody: "<p>Paid {{amount}}, {{name}}</p>", TextBody: "Paid {{amount}}, {{name}}",
  });
  out.template = await client.sendEmailWithTemplate({
    TemplateAlias: `receipt-${run}`, TemplateModel: { number: run, amount: "$12.00", name: "Jane <Roe>" },
    From: "billing@postroom.test", To: `node-${run}@postroom.test`,
  });

  out.invalid = await refused(() => client.sendEmail({ From: "billing@postroom.test", Subject: "x", TextBody: "x" }));
  out.badToken = await refused(() => new postmark.ServerClient("00000000-0000-0000-0000-000000000000", {
    requestHost: process.env.POSTROOM_HOST, useHttps: false,
  }).sendEmail({ From: "billing@postroom.test", To: "a@postroom.test", Subject: "x", TextBody: "x" }));

  const gone = `gone-${run}@postroom.test`;
  await client.createSuppressions("outbound", { Suppressions: [{ EmailAddress: gone }] });
  out.suppressed = await refused(() => client.sendEmail({ From: "billing@postroom.test", To: gone, Subject: "x", TextBody: "x" }));

  // The client's filters are camelCase (fromEmail, fromDate, toDate, messageStream): read in any case, as Postmark.
  const today = new Date().toISOString().substring(0, 10);
  const filter = { count: 10, offset: 0, fromEmail: "billing@postroom.test", subject: `From Node ${run}`,
    messageStream: "outbound" };
  out.found = (await client.getOutboundMessages({ ...filter, fromDate: today })).TotalCount;
  out.foundBefore2001 = (await client.getOutboundMessages({ ...filter, toDate: "2001-01-01" })).TotalCount;

  const details = await client.getOutboundMessageDetails(out.single.MessageID);
  out.details = { subject: details.Subject, tag: details.Tag, events: details.MessageEvents.map((e) => e.Type) };
  console.log(JSON.stringify(out));
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
