// Reads ICS feeds with node-ical (the npm parser behind MagicMirror, Home Assistant add-ons
// and many web calendars) and prints, as one JSON document on stdout, what it sees of each:
// for every event its UID, text, status, categories, and start and end as node-ical
// computes them. A date-only value is printed as YYYY-MM-DD (node-ical builds it at local
// midnight and sets .dateOnly), a timed one as a UTC ISO instant.
//
// usage: TZ=Pacific/Kiritimati node check_nodeical.cjs FEED.ics [FEED.ics ...]
// (an unusual TZ, so that a silent fallback to the machine's zone shows as a wrong instant)
// Exit 0 with the JSON; 2 when a file cannot be parsed (the message names it).
'use strict';
const fs = require('node:fs');
const ical = require('node-ical');

const pad = (n, w = 2) => String(n).padStart(w, '0');

function timeOf(value) {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return { invalid: String(value) };
  if (value.dateOnly) {
    return { date: `${pad(value.getFullYear(), 4)}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}` };
  }
  return { utc: value.toISOString(), tz: value.tz || null };
}

const text = (v) => (v === undefined || v === null) ? null
  : (typeof v === 'object' && 'val' in v ? String(v.val) : String(v));

function readFeed(path) {
  const data = ical.sync.parseICS(fs.readFileSync(path, 'utf8'));
  const events = [];
  const timezones = [];
  for (const [key, item] of Object.entries(data)) {
    if (!item) continue;
    if (item.type === 'VTIMEZONE') timezones.push(item.tzid);
    if (item.type !== 'VEVENT') continue;
    events.push({
      uid: item.uid || key,
      summary: text(item.summary),
      description: text(item.description),
      location: text(item.location),
      url: text(item.url),
      status: text(item.status),
      categories: item.categories || [],
      start: timeOf(item.start),
      end: timeOf(item.end),
    });
  }
  return { file: path, timezones, events };
}

const feeds = [];
for (const path of process.argv.slice(2)) {
  try {
    feeds.push(readFeed(path));
  } catch (error) {
    console.error(`${path}: node-ical could not read it: ${error.message}`);
    process.exit(2);
  }
}
process.stdout.write(JSON.stringify({ version: require('node-ical/package.json').version, feeds }));
