// Today's summary: the counts (calls, answered, missed, voicemails, unheard, average talk time) and the chart by
// hour, from /api/summary since the browser's local midnight. The unheard count also goes into the tab's title.
import { api } from './api.js';
import { byId } from './dom.js';
import { count, isoWithOffset, localMidnight, longDayFormat, minSec } from './format.js';
import { renderChart } from './chart.js';

const ui = {
  summary: byId('summary'), note: byId('summary-note'), chart: byId('chart'), today: byId('today-label'),
  unheardCard: byId('stat-unheard-card'),
  stats: {
    calls: byId('stat-calls'), answered: byId('stat-answered'), missed: byId('stat-missed'),
    voicemails: byId('stat-voicemails'), unheard: byId('stat-unheard'), talk: byId('stat-talk'),
  },
};

let inFlight = false;
let lastByHour = null;
let drawnWidth = 0;

export function showToday(now = new Date()) {
  ui.today.textContent = longDayFormat.format(now);
}

export async function refreshSummary() {
  if (inFlight) return;
  inFlight = true;
  const now = new Date();
  showToday(now);
  try {
    const summary = await api(`/api/summary?${new URLSearchParams({ since: isoWithOffset(localMidnight(now)) })}`);
    render(summary);
    ui.summary.dataset.state = 'ready';
    ui.note.hidden = true;
  } catch (error) {
    ui.summary.dataset.state = 'error';
    ui.note.hidden = false;
    ui.note.textContent = `Today\u2019s summary is unavailable right now (${error.message}).`;
  } finally {
    inFlight = false;
  }
}

function render(summary) {
  ui.stats.calls.textContent = count(summary.calls);
  ui.stats.answered.textContent = count(summary.answered);
  ui.stats.missed.textContent = count(summary.missed);
  ui.stats.voicemails.textContent = count(summary.voicemails);
  ui.stats.unheard.textContent = count(summary.unheard_voicemails);
  ui.stats.talk.textContent = summary.average_talk_s === null || summary.average_talk_s === undefined
    ? '—' : minSec(summary.average_talk_s);
  const unheard = Number(summary.unheard_voicemails) || 0;
  ui.unheardCard.classList.toggle('has-unheard', unheard > 0);
  document.title = unheard > 0 ? `(${unheard}) Switchboard — calls` : 'Switchboard — calls';
  lastByHour = Array.isArray(summary.by_hour) ? summary.by_hour : [];
  drawChart();
}

function drawChart() {
  drawnWidth = ui.chart.clientWidth;
  ui.chart.replaceChildren(renderChart(lastByHour, {
    width: drawnWidth, font: getComputedStyle(ui.chart).fontFamily,
  }));
}

let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (lastByHour && ui.chart.clientWidth !== drawnWidth) drawChart();
  }, 150);
});
