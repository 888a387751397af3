import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMetricsRegistry } from '@vigil/common';
import { REPO_ROOT } from './support/kafka';

const GRAFANA_DIR = path.join(REPO_ROOT, 'deploy/grafana');
const RULES_DIR = path.join(REPO_ROOT, 'deploy/prometheus/rules');
const SERVICES = ['inference', 'ingestion', 'training', 'monitoring'];

/** Series Prometheus writes itself, next to what it scrapes. */
const PROMETHEUS_OWN = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_series_added', 'ALERTS', 'ALERTS_FOR_STATE'];

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

interface Target { expr?: string }
interface Panel { id: number; type: string; title: string; datasource?: { type: string; uid: string }; targets?: Target[]; panels?: Panel[] }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: { name: string; type: string; query: unknown }[] } }

/** Grafana's variables, replaced by something PromQL accepts in their place. */
const substitute = (expr: string) => expr.replace(/\$__(rate_)?interval|\$__range/g, '5m').replace(/\$\{?\w+\}?/g, 'x');

/**
 * Metric names a PromQL expression selects: strings, label matchers, ranges and grouping labels
 * removed, then every identifier that is not a function call, a keyword, a number or a duration.
 */
function metricNames(expr: string): string[] {
  const bare = substitute(expr)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|[smhdwy])?|([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (m[1] && !m[2] && !KEYWORDS.has(m[1].toLowerCase())) names.add(m[1]);
  }
  return [...names];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** `new Counter({ name: '…' })` and friends in services/*\/src, with the series a histogram adds. */
function registeredInSource(): Set<string> {
  const names = new Set<string>();
  for (const service of [...SERVICES, 'common']) {
    for (const file of walk(path.join(REPO_ROOT, 'services', service, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/new (Counter|Gauge|Histogram|Summary)\b[^(]*\(\s*\{\s*name:\s*'([\w:]+)'/g)) {
        names.add(m[2]);
        if (m[1] === 'Histogram' || m[1] === 'Summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(m[2] + suffix);
      }
    }
  }
  return names;
}

/** prom-client's default metrics, as every service registry has them. */
async function defaultMetrics(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await createMetricsRegistry('check').getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

/** The `expr:` of every rule, inline or as a YAML block scalar. */
function ruleExpressions(): string[] {
  const exprs: string[] = [];
  for (const file of readdirSync(RULES_DIR).filter((f) => f.endsWith('.yml'))) {
    const lines = readFileSync(path.join(RULES_DIR, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const m = /^(\s*)expr:\s*(.*)$/.exec(line);
      if (!m) return;
      if (!/^[|>]/.test(m[2])) return void exprs.push(m[2]);
      const block: string[] = [];
      for (let j = i + 1; j < lines.length && (lines[j].trim() === '' || lines[j].search(/\S/) > m[1].length); j++) block.push(lines[j]);
      exprs.push(block.join('\n'));
    });
  }
  return exprs;
}

const dashboards = readdirSync(GRAFANA_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, text: readFileSync(path.join(GRAFANA_DIR, file), 'utf8') }));
const parsed = () => dashboards.map(({ file, text }) => ({ file, board: JSON.parse(text) as Dashboard }));
const panelsOf = (board: Dashboard): Panel[] => board.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queriesOf = (board: Dashboard) =>
  panelsOf(board).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));

describe('Grafana dashboards in deploy/grafana', () => {
  test('there is one dashboard per service and one for model quality, each valid JSON with a unique uid', () => {
    expect(dashboards.map((d) => d.file).sort()).toEqual([...SERVICES.map((s) => `vigil-${s}.json`), 'vigil-model-quality.json'].sort());
    const uids = parsed().map(({ board }) => board.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  test('every dashboard chooses its Prometheus through a datasource variable, and every query panel uses it', () => {
    for (const { file, board } of parsed()) {
      expect({ file, variable: board.templating.list.find((v) => v.type === 'datasource') }).toMatchObject({ file, variable: { name: 'datasource', query: 'prometheus' } });
      for (const panel of panelsOf(board).filter((p) => p.type !== 'row')) {
        expect({ file, panel: panel.title, datasource: panel.datasource }).toEqual({ file, panel: panel.title, datasource: { type: 'prometheus', uid: '${datasource}' } });
        expect(panel.targets?.length).toBeGreaterThan(0);
      }
      const ids = panelsOf(board).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  test('a service dashboard shows request rate, errors, p99, outbox backlog and consumer lag; inference also Triton’s metrics', () => {
    for (const service of SERVICES) {
      const names = new Set(queriesOf(parsed().find((d) => d.file === `vigil-${service}.json`)!.board).flatMap((q) => metricNames(q.expr)));
      for (const name of ['vigil_http_requests_total', 'vigil_http_request_duration_seconds_bucket', 'vigil_outbox_backlog', 'vigil_kafka_consumer_lag']) {
        expect({ service, name, shown: names.has(name) }).toEqual({ service, name, shown: true });
      }
      if (service === 'inference') for (const name of ['nv_inference_request_success', 'nv_inference_request_failure', 'nv_inference_count', 'nv_inference_compute_infer_duration_us']) expect(names).toContain(name);
    }
    const quality = new Set(queriesOf(parsed().find((d) => d.file === 'vigil-model-quality.json')!.board).flatMap((q) => metricNames(q.expr)));
    for (const name of ['vigil_model_quality', 'vigil_model_labelled', 'vigil_model_psi']) expect(quality).toContain(name);
  });

  test('every query selects only metrics the services register, Prometheus writes, or the alerting rules use', async () => {
    const known = new Set([...registeredInSource(), ...(await defaultMetrics()), ...PROMETHEUS_OWN, ...ruleExpressions().flatMap(metricNames)]);
    const unknown = parsed().flatMap(({ file, board }) =>
      queriesOf(board).flatMap(({ panel, expr }) => metricNames(expr).filter((n) => !known.has(n)).map((name) => ({ file, panel, name }))),
    );
    expect(unknown).toEqual([]);
  });

  test('the metric-name extraction ignores functions, labels, grouping, numbers and durations', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{service="x", route!="/metrics"}[$__rate_interval])))')).toEqual(['a_bucket']);
    expect(metricNames('b / on (model, version) c offset 5m > bool 1e3 and topk(10, max without (x) (d))')).toEqual(['b', 'c', 'd']);
  });

  test('promtool parses every query, with Grafana’s variables filled in', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-grafana-'));
    try {
      const rules = parsed().flatMap(({ board }) => queriesOf(board).map((q, i) => ({ record: `grafana:${board.uid.replace(/-/g, '_')}:${i}`, expr: substitute(q.expr) })));
      // JSON is YAML, so promtool reads this as a rule file.
      writeFileSync(path.join(dir, 'dashboards.yml'), JSON.stringify({ groups: [{ name: 'dashboards', rules }] }));
      execFileSync('promtool', ['check', 'rules', path.join(dir, 'dashboards.yml')], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
