// npm run bench:content: how long the content rules take on hostile texts (DESIGN §17 asks
// for "well under a millisecond" on 1,600 characters), and a number's time-zone lookup.
// A measurement, not a test: it always exits 0. Uses the tsc output in dist/.
import { performance } from "node:perf_hooks";
import {
  compileTemplates,
  firstMatchingTemplate,
  scanMessage,
} from "../dist/sms/guardrails/templates.js";
import { findLinks } from "../dist/sms/links.js";
import { timeZonesOf } from "../dist/sms/timeZones.js";

const templates = compileTemplates([
  {
    name: "booking",
    text: "Hi {name}, your visit at Smile Dental is on {day} at {time}. Reply C to cancel.",
  },
  {
    name: "payment",
    text: "Your Smile Dental balance is ready to pay at {link:link} - thank you!",
  },
  { name: "code", text: "Your Smile Dental code is {code:digits}." },
  { name: "dense", text: "{a} {b} {c} {d} {e} {f} {g} {h}." },
]);

const fill = (unit) => unit.repeat(Math.ceil(1600 / unit.length)).slice(0, 1600);
const hostile = {
  "one letter ×1600": fill("a"),
  "Hi + short words": `Hi ${fill("a, ")}`.slice(0, 1600),
  "spaces between letters": fill("a "),
  "link-like runs": fill("x.com "),
  "digits and dots": fill("1.2."),
  "the booking text, repeated": fill("Hi Ann, your visit at Smile Dental is on Tue at 3pm. "),
};

function judge(message) {
  const links = findLinks(message);
  return firstMatchingTemplate(templates, scanMessage(message, links));
}

judge("warm up the linkifier");
const rows = [];
for (const [name, message] of Object.entries(hostile)) {
  const times = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    judge(message);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  rows.push({ message: name, length: message.length, median: times[100], worst: times[199] });
}
console.log(
  "\nsms-mcp bench:content — one 1,600-character text judged: links found, scanned, 4 templates tried\n",
);
console.log("| hostile text | chars | median ms | slowest of 200 ms |");
console.log("|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.message} | ${r.length} | ${r.median.toFixed(3)} | ${r.worst.toFixed(3)} |`);
}

const first = performance.now();
await timeZonesOf("+12125550123");
const firstMs = performance.now() - first;
const others = [];
for (let i = 0; i < 50; i++) {
  const start = performance.now();
  await timeZonesOf(`+1212555${String(1000 + i)}`);
  others.push(performance.now() - start);
}
others.sort((a, b) => a - b);
const again = performance.now();
await timeZonesOf("+12125550123");
const againMs = performance.now() - again;
console.log(
  `\nTime zones of a number: first ${firstMs.toFixed(2)} ms, a new number ${others[25].toFixed(2)} ms (median of 50), one seen before ${(againMs * 1000).toFixed(0)} µs.`,
);
