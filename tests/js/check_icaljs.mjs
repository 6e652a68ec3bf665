// Reads ICS feeds with ical.js (the parser Thunderbird uses) and prints, as one JSON
// document on stdout, what a client would see of each: its VTIMEZONEs and, for every event,
// UID, summary, status and the start and end instants as ical.js computes them.
//
// usage: node check_icaljs.mjs FEED.ics [FEED.ics ...]
// Exit 0 with the JSON; 2 when a file cannot be parsed (the message names it).
//
// Each file is read on its own: the time zone service is emptied, then every VTIMEZONE of
// the file is registered with ICAL.TimezoneService.register, as a client does before it
// turns TZID times into instants. A timed value is printed as a UTC ISO instant
// (toUnixTime uses the zone's own offsets, not the machine's); a DATE value as YYYY-MM-DD.
import fs from 'node:fs';
import ICAL from 'ical.js';

function timeOf(property) {
  if (!property) return null;
  const value = property.getFirstValue();
  const tzid = property.getParameter('tzid') || null;
  if (value.isDate) return { date: value.toString(), tzid };
  return { utc: new Date(value.toUnixTime() * 1000).toISOString(), tzid };
}

function eventOf(component, zones) {
  const event = new ICAL.Event(component);
  const start = timeOf(component.getFirstProperty('dtstart'));
  const end = timeOf(component.getFirstProperty('dtend'));
  const tzids = [start, end].filter((t) => t && t.tzid).map((t) => t.tzid);
  return {
    uid: event.uid,
    summary: event.summary,
    status: component.getFirstPropertyValue('status'),
    sequence: event.sequence,
    transp: component.getFirstPropertyValue('transp'),
    location: event.location,
    description: event.description,
    start,
    end,
    missingZones: tzids.filter((tzid) => !zones.includes(tzid)),
  };
}

function readFeed(path) {
  const calendar = new ICAL.Component(ICAL.parse(fs.readFileSync(path, 'utf8')));
  ICAL.TimezoneService.reset();
  const zones = [];
  for (const zone of calendar.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(zone);
    zones.push(zone.getFirstPropertyValue('tzid'));
  }
  return {
    file: path,
    name: calendar.getFirstPropertyValue('x-wr-calname'),
    method: calendar.getFirstPropertyValue('method'),
    timezones: zones,
    events: calendar.getAllSubcomponents('vevent').map((c) => eventOf(c, zones)),
  };
}

const feeds = [];
for (const path of process.argv.slice(2)) {
  try {
    feeds.push(readFeed(path));
  } catch (error) {
    console.error(`${path}: ical.js could not read it: ${error.message}`);
    process.exit(2);
  }
}
process.stdout.write(JSON.stringify(feeds));
