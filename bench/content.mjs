// npm run bench:content: how long the content rules take on hostile texts (DESIGN §17 asks
// for "well under a millisecond" on 1,600 characters), and a number's time-zone lookup.
// A measurement, not a test: it always exits 0. Uses the tsc output in dist/.
import { performance } from "node:perf_hooks";
import { quietHoursRule } from "../dist/sms/guardrails/quietHours.js";
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
  "one long dotted word": fill("ab."),
  "bare domains glued to symbols": fill("evil.com:80|"),
  "hyphens, then a letter": `${fill("-").slice(0, 1599)}a`,
  "a link, then punctuation": `https://pay.example.com@${fill("!").slice(0, 1570)}x`,
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

// Inside the window, so the opening is searched for: three zones, one near a clock change.
const zones = ["America/New_York", "Europe/London", "Australia/Lord_Howe"];
const night = { start: "21:00", end: "08:00" };
const nearChange = Date.parse("2026-10-03T15:00:00Z");
quietHoursRule("+1", zones, night, nearChange);
const quiet = [];
for (let i = 0; i < 200; i++) {
  const start = performance.now();
  quietHoursRule("+1", zones, night, nearChange + i * 60_000);
  quiet.push(performance.now() - start);
}
quiet.sort((a, b) => a - b);
console.log(
  `Quiet hours, inside the window, 3 zones (one changing its clocks): median ${quiet[100].toFixed(3)} ms, slowest of 200 ${quiet[199].toFixed(3)} ms.`,
);
