#!/usr/bin/python3
"""Reference values for sql/42_signals.sql, sql/43_cohorts.sql and
sql/44_sequential.sql, computed once with scipy 1.10 and statsmodels 0.13
(Debian bookworm: apt-get install python3-scipy python3-statsmodels) and
with GrowthBook's gbstats formulas (packages/stats/gbstats: statistics.py,
tests.py, frequentist/tests.py) written out below with numpy.  The tests
hold the numbers printed here; run this to see where each comes from.
"""
import numpy as np
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.multitest import multipletests

np.set_printoptions(precision=17)

print("== Fisher: scipy.stats.fisher_exact(table)[1] (two-sided)")
for t in [[[8, 2], [1, 5]], [[3, 1], [1, 3]], [[0, 10], [5, 5]],
          [[100000, 99000], [98000, 101000]], [[1, 0], [0, 1]],
          [[0, 0], [3, 4]], [[30, 70], [45, 55]], [[2, 7], [8, 2]],
          [[20, 5], [0, 30]], [[5, 0], [0, 5]], [[1, 2], [3, 4]],
          [[100, 1], [1, 100]], [[1000, 1500], [1200, 1300]]]:
    print(t, repr(stats.fisher_exact(t)[1]))

print("== BH: statsmodels multipletests(p, method='fdr_bh')[1]")

print("== Kaplan-Meier: statsmodels SurvfuncRight(time, status)")
def km(time, status, alpha=0.05):
    sf = SurvfuncRight(np.array(time, float), np.array(status, int))
    z = stats.norm.ppf(1 - alpha / 2)
    print(" times", sf.surv_times.tolist())
    print(" share_converted", (1 - sf.surv_prob).tolist())
    print(" greenwood se", sf.surv_prob_se.tolist())
    # log(-log) band: S^exp(+-z se/(S |log S|))
    s, se = sf.surv_prob, sf.surv_prob_se
    with np.errstate(all='ignore'):
        th = se / (s * np.abs(np.log(s)))
        print(" low ", (1 - s ** np.exp(-z * th)).tolist())
        print(" high", (1 - s ** np.exp(z * th)).tolist())
    print(" median (quantile 0.5)", sf.quantile(0.5))
km([1, 2, 2, 3, 4, 4, 5, 6], [1, 1, 0, 1, 0, 1, 1, 0])
km([3, 3, 3, 5, 8, 8, 9, 12, 12, 15], [1, 0, 1, 1, 1, 0, 0, 1, 1, 0], alpha=0.10)

print("== GrowthBook CUPED (RegressionAdjustedStatistic, relative)")
def stat(n, s, ss, proportion):
    mean = s / n
    var = mean * (1 - mean) if proportion else (ss - s * s / n) / (n - 1)
    return mean, var
def cov(n, sy, sx, sxy, proportion):
    if proportion:
        return sxy / n - sy * sx / n ** 2
    return (sxy - sy * sx / n) / (n - 1)
def cuped(a, b, proportion, alpha=0.05):
    n = a[0] + b[0]
    _, jvy = stat(n, a[1] + b[1], a[2] + b[2], proportion)
    _, jvx = stat(n, a[3] + b[3], a[4] + b[4], proportion)
    theta = 0 if (jvx == 0 or jvy == 0) else cov(n, a[1] + b[1], a[3] + b[3], a[5] + b[5], proportion) / jvx
    ma, vya = stat(a[0], a[1], a[2], proportion)
    mb, vyb = stat(b[0], b[1], b[2], proportion)
    xa, vxa = stat(a[0], a[3], a[4], proportion)
    xb, vxb = stat(b[0], b[3], b[4], proportion)
    ca = cov(a[0], a[1], a[3], a[5], proportion)
    cb = cov(b[0], b[1], b[3], b[5], proportion)
    # frequentist_variance(relative) = variance_of_ratios(mb, vb/nb, ma, va/na, 0)
    lift = (mb - ma) / abs(ma)
    var = (vyb / b[0]) / ma ** 2 + (vya / a[0]) * mb ** 2 / ma ** 4
    # frequentist_variance_relative_cuped
    adj = ((mb - theta * xb) - (ma - theta * xa)) / abs(ma)
    num_trt = vyb + theta ** 2 * vxb - 2 * theta * cb
    v_trt = num_trt / (b[0] * ma ** 2)
    const = -mb
    v_ctrl = (vya * const ** 2 / ma ** 2 + 2 * theta * ca * const / ma + theta ** 2 * vxa) / (a[0] * ma ** 2)
    vadj = v_trt + v_ctrl if theta != 0 else var
    z = stats.norm.ppf(1 - alpha / 2)
    print(" theta", repr(theta), "lift", repr(lift), "se", repr(np.sqrt(var)),
          "p", repr(2 * stats.norm.sf(abs(lift) / np.sqrt(var))))
    print(" cuped_lift", repr(adj), "cuped_se", repr(np.sqrt(vadj)),
          "cuped_p", repr(2 * stats.norm.sf(abs(adj) / np.sqrt(vadj))),
          "low", repr(adj - z * np.sqrt(vadj)), "high", repr(adj + z * np.sqrt(vadj)),
          "reduction", repr(1 - vadj / var))
cuped([100, 30, 30, 20, 20, 12], [100, 40, 40, 22, 22, 15], True)
cuped([250, 1200.5, 9800.25, 1100, 8000, 8500.75], [240, 1300, 11000.5, 1050, 7600, 8900], False)
cuped([100, 30, 30, 0, 0, 0], [100, 40, 40, 0, 0, 0], True)

print("== GrowthBook ratio (RatioStatistic, relative)")
def ratio(a, b, alpha=0.05):
    out = []
    for arm in (a, b):
        n = arm[0]
        mm, vm = stat(n, arm[1], arm[2], False)
        md, vd = stat(n, arm[3], arm[4], False)
        c = cov(n, arm[1], arm[3], arm[5], False)
        v = vm / md ** 2 + vd * mm ** 2 / md ** 4 - 2 * c * mm / md ** 3
        out.append((arm[1] / arm[3], v, n))
    (ra, va, na), (rb, vb, nb) = out
    lift = (rb - ra) / abs(ra)
    var = (vb / nb) / ra ** 2 + (va / na) * rb ** 2 / ra ** 4
    print(" ratio_a", repr(ra), "ratio_b", repr(rb), "lift", repr(lift), "se", repr(np.sqrt(var)),
          "p", repr(2 * stats.norm.sf(abs(lift) / np.sqrt(var))))
ratio([100, 30, 50, 200, 500, 70], [100, 40, 70, 210, 520, 90])

print("== GrowthBook sequential (SequentialTwoSidedTTest)")
def seq(est, se, n, alpha=0.05, tuning=5000):
    rho = np.sqrt((-2 * np.log(alpha) + np.log(-2 * np.log(alpha) + 1)) / tuning)
    s2 = se ** 2 * n
    half = np.sqrt(s2) * np.sqrt((2 * (n * rho ** 2 + 1)) * np.log(np.sqrt(n * rho ** 2 + 1) / alpha) / (n * rho) ** 2)
    st2 = est ** 2 * n / se ** 2
    tr2p1 = n * rho ** 2 + 1
    e = np.exp(rho ** 2 * st2 / (2 * tr2p1)) / np.sqrt(tr2p1)
    print(" ", est, se, n, alpha, tuning, "low", repr(est - half), "high", repr(est + half), "p", repr(min(1 / e, 1)))
seq(0.1, 0.05, 2000)
seq(0.1, 0.05, 2000, tuning=1000)
seq(0.03, 0.01, 50000, alpha=0.1)
seq(0.001, 0.05, 200)

print("== non-inferiority: scipy.stats.norm.sf((est + margin) / se)")
for est, se, m in [(-0.01, 0.01, 0.02), (0.0, 0.01, 0.02), (-0.05, 0.01, 0.02)]:
    print(" ", est, se, m, repr(stats.norm.sf((est + m) / se)))

print("== conversion_drivers on sql/42_signals.sql's data (rules re-implemented here)")
from datetime import datetime, timedelta
def driver_data():
    ev = []
    base = datetime(2026, 2, 1)
    for i in range(1, 61):
        t0 = base + timedelta(days=i % 6, hours=i)
        medium = {0: 'email', 1: 'cpc', 2: 'organic', 3: None}[i % 4]
        ev.append((i, t0, 'visit', medium))
        if i % 2 == 0: ev.append((i, t0 + timedelta(hours=1), 'demo', None))
        if i % 3 == 0: ev.append((i, t0 + timedelta(hours=2), 'pricing', None))
        if i % 5 == 0: ev.append((i, t0 + timedelta(hours=3), 'chat', None))
        if i <= 24: ev.append((i, t0 + timedelta(hours=4), 'faq', None))
        if i <= 25: ev.append((i, t0 + timedelta(hours=4), 'help', None))
        moved = i % 2 == 0 or i % 7 == 0
        if moved:
            ev.append((i, t0 + timedelta(days=2), 'signup', None))
            ev.append((i, t0 + timedelta(days=3), 'late', None))
        else:
            ev.append((i, t0 + timedelta(days=6), 'inwin', None))
            ev.append((i, t0 + timedelta(days=8), 'late2', None))
        # a second visit later does not move the entry
        if i % 10 == 0: ev.append((i, t0 + timedelta(days=1), 'visit', 'cpc'))
    return ev
def drivers(ev, column, min_customers, window=timedelta(days=7)):
    cust = {}
    for c, t, e, m in ev:
        cust.setdefault(c, []).append((t, e, m))
    seen = {}
    moved_total = dropped_total = 0
    for c, rows in cust.items():
        entry = min(t for t, e, m in rows if e == 'visit')
        nxt = [t for t, e, m in rows if e == 'signup' and entry <= t <= entry + window]
        moved = bool(nxt)
        moved_total += moved; dropped_total += not moved
        end = min(nxt) if moved else None
        sigs = set()
        for t, e, m in rows:
            if t < entry: continue
            if moved and not t < end: continue
            if not moved and not t <= entry + window: continue
            s = e if column is None else m
            if s is None or (column is None and e == 'visit'): continue
            sigs.add(s)
        for s in sigs:
            seen.setdefault(s, [0, 0])[0 if moved else 1] += 1
    tested = {s: ab for s, ab in seen.items() if sum(ab) >= min_customers}
    left = len(seen) - len(tested)
    names = sorted(tested)
    ps = [stats.fisher_exact([[tested[s][0], tested[s][1]],
                              [moved_total - tested[s][0], dropped_total - tested[s][1]]])[1] for s in names]
    adj = multipletests(ps, method='fdr_bh')[1] if ps else []
    for s, p, q in zip(names, ps, adj):
        a, b = tested[s]; c = moved_total - a; d = dropped_total - b
        print(" ", s, a, b, c, d, "or", repr((a + 1) * (d + 1) / ((b + 1) * (c + 1))), "p", repr(p), "bh", repr(q))
    print("  left out", left, "moved", moved_total, "dropped", dropped_total)
ev = driver_data()
drivers(ev, None, 25)
drivers(ev, None, 26)
drivers(ev, 'medium', 5)

print("== cohort_conversion and time_to_convert_curve on sql/43_cohorts.sql's data")
def cohort_data():
    rows = []
    base = datetime(2026, 3, 2)
    for i in range(1, 41):
        s = base + timedelta(hours=6 * (i - 1))
        region = 'north' if i % 2 else 'south'
        act = s + timedelta(days=(i % 5) + 1) if i % 3 != 0 else None
        rows.append((i, s, act, region))
    return rows
rows = cohort_data()
as_of = datetime(2026, 3, 14)
win = timedelta(days=4)
for label, start, end in [('week 1', datetime(2026, 3, 2), datetime(2026, 3, 9)),
                          ('week 2', datetime(2026, 3, 9), datetime(2026, 3, 16))]:
    ent = [r for r in rows if start <= r[1] < end and r[1] <= as_of]
    conv = [r for r in ent if r[2] is not None and r[2] <= r[1] + win and r[2] <= as_of]
    print(" ", label, "entered", len(ent), "converted", len(conv), "rate", len(conv) / len(ent),
          "closes", end + win, "closed", end + win <= as_of)
def ttc(sel, window=None):
    t, e = [], []
    for i, s, act, region in rows:
        if not sel(i, region): continue
        if act is not None and act <= as_of and (window is None or act <= s + window):
            t.append((act - s).total_seconds()); e.append(1)
        else:
            end = as_of if window is None else min(as_of, s + window)
            t.append((end - s).total_seconds()); e.append(0)
    km(t, e)
print(" all customers, no window"); ttc(lambda i, r: True)
print(" north, window 4 days"); ttc(lambda i, r: r == 'north', timedelta(days=4))
print(" weekly cohorts, no window")
ttc(lambda i, r: i <= 28)
ttc(lambda i, r: i > 28)

print("== hypothesis_effects on sql/44_sequential.sql's experiment (rules re-implemented here)")
def experiment():
    ev = []   # (customer, time, event, amount)
    assign = []
    base = datetime(2026, 4, 10)
    for arm, prefix, conv, pre_lo, pre_hi, amt, refund in (
            ('control', 'a', 30, 19, 38, lambda i: (i % 7 + 1) * 10.0, lambda i: i % 10 == 0),
            ('treatment', 'b', 40, 26, 47, lambda i: (i % 5 + 1) * 12.0, lambda i: i % 8 == 0)):
        for i in range(1, 101):
            c = prefix + str(i); at = base + timedelta(minutes=i)
            assign.append((c, arm, at))
            if i <= conv: ev.append((c, at + timedelta(hours=1), 'purchase', amt(i)))
            if pre_lo <= i <= pre_hi: ev.append((c, at - timedelta(days=2), 'purchase', 5.0))
            for k in range(i % 3 + 1): ev.append((c, at + timedelta(minutes=10 * (k + 1)), 'session', None))
            if refund(i): ev.append((c, at + timedelta(hours=2), 'refund', None))
    # edges: a31 buys exactly 7 days after assignment (in), a32 a microsecond
    # later (out); a40 bought exactly 14 days before (in the pre-window), a41 a
    # microsecond earlier (out); b60 buys at the very instant of assignment
    # (after it, not before)
    at = {c: t for c, a, t in assign}
    ev.append(('a31', at['a31'] + timedelta(days=7), 'purchase', 1000.0))
    ev.append(('a32', at['a32'] + timedelta(days=7, microseconds=1), 'purchase', 1000.0))
    ev.append(('a40', at['a40'] - timedelta(days=14), 'purchase', 5.0))
    ev.append(('a41', at['a41'] - timedelta(days=14, microseconds=1), 'purchase', 5.0))
    ev.append(('b60', at['b60'], 'purchase', 7.0))
    return assign, ev
assign, xev = experiment()
W, PRE = timedelta(days=7), timedelta(days=14)
def unit_values(c, t0):
    mine = [e for e in xev if e[0] == c]
    post = lambda e: t0 <= e[1] <= t0 + W
    conv = float(any(e[2] == 'purchase' and post(e) for e in mine))
    pre = float(any(e[2] == 'purchase' and t0 - PRE <= e[1] < t0 for e in mine))
    num = sum(e[3] for e in mine if e[2] == 'purchase' and post(e))
    den = float(sum(1 for e in mine if e[2] == 'session' and post(e)))
    refunds = float(sum(1 for e in mine if e[2] == 'refund' and post(e)))
    return conv, pre, num, den, refunds
units = {c: (arm, unit_values(c, t0)) for c, arm, t0 in assign}
def cap(vals, p):
    nz = np.array([v for v in vals if v != 0])
    return float(np.percentile(nz, 100 * p, method='linear'))
num_cap = cap([u[1][2] for u in units.values()], 0.9)
den_cap = cap([u[1][3] for u in units.values()], 0.9)
ref_cap = cap([u[1][4] for u in units.values()], 0.9)
print("  caps", num_cap, den_cap, ref_cap)
def sums(arm, y, x):
    vals = [(y(u), x(u)) for a, u in units.values() if a == arm]
    return [len(vals), sum(v[0] for v in vals), sum(v[0] ** 2 for v in vals),
            sum(v[1] for v in vals), sum(v[1] ** 2 for v in vals), sum(v[0] * v[1] for v in vals)]
ca = sums('control', lambda u: u[0], lambda u: u[1]); cb = sums('treatment', lambda u: u[0], lambda u: u[1])
print("  conversion sums", ca, cb)
cuped(ca, cb, True)
ra = sums('control', lambda u: min(u[2], num_cap), lambda u: min(u[3], den_cap))
rb = sums('treatment', lambda u: min(u[2], num_cap), lambda u: min(u[3], den_cap))
ratio(ra, rb)
# the sequential interval reads CUPED's lift and standard error
def cuped_est(a, b, proportion):
    n = a[0] + b[0]
    _, jvy = stat(n, a[1] + b[1], a[2] + b[2], proportion)
    _, jvx = stat(n, a[3] + b[3], a[4] + b[4], proportion)
    theta = cov(n, a[1] + b[1], a[3] + b[3], a[5] + b[5], proportion) / jvx
    ma, vya = stat(a[0], a[1], a[2], proportion); mb, vyb = stat(b[0], b[1], b[2], proportion)
    xa, vxa = stat(a[0], a[3], a[4], proportion); xb, vxb = stat(b[0], b[3], b[4], proportion)
    ca_, cb_ = cov(a[0], a[1], a[3], a[5], proportion), cov(b[0], b[1], b[3], b[5], proportion)
    adj = ((mb - theta * xb) - (ma - theta * xa)) / abs(ma)
    v = (vyb + theta ** 2 * vxb - 2 * theta * cb_) / (b[0] * ma ** 2) + \
        (vya * mb ** 2 / ma ** 2 - 2 * theta * ca_ * mb / ma + theta ** 2 * vxa) / (a[0] * ma ** 2)
    return adj, np.sqrt(v)
est, se = cuped_est(ca, cb, True)
seq(est, se, 200)
ga = sums('control', lambda u: min(u[4], ref_cap), lambda u: 0.0)
gb = sums('treatment', lambda u: min(u[4], ref_cap), lambda u: 0.0)
ma_, va_ = stat(ga[0], ga[1], ga[2], False); mb_, vb_ = stat(gb[0], gb[1], gb[2], False)
lift = (mb_ - ma_) / abs(ma_); gse = np.sqrt((vb_ / gb[0]) / ma_ ** 2 + (va_ / ga[0]) * mb_ ** 2 / ma_ ** 4)
print("  refunds means", ma_, mb_, "lift", repr(lift), "se", repr(gse),
      "non-inferiority p (lower is better, margin 0.1)", repr(stats.norm.sf((0.1 - lift) / gse)),
      "margin 0.5", repr(stats.norm.sf((0.5 - lift) / gse)))
from statsmodels.stats.power import NormalIndPower
print("  second experiment: 30/100 against 50/100, no pre-period: plain lift, sequential")
cuped([100, 30, 30, 0, 0, 0], [100, 50, 50, 0, 0, 0], True)
seq(2 / 3, np.sqrt((0.5 * 0.5 / 100) / 0.09 + (0.3 * 0.7 / 100) * 0.25 / 0.3 ** 4), 200)
print("  two-proportion z-test p (statsmodels proportions_ztest)",
      repr(__import__('statsmodels.stats.proportion', fromlist=['x']).proportions_ztest([50, 30], [100, 100])[1]))

print("== the ratio's delta method again, written generically: Var(g) = grad' S grad,")
print("   g(means) = (mb_y/mb_x)/(ma_y/ma_x) - 1, the gradient by complex steps,")
print("   S the covariance of the four means from each arm's sample covariance (np.cov-like)")
def generic_ratio(a, b):
    def arm_cov(s):
        n = s[0]
        vy = (s[2] - s[1] ** 2 / n) / (n - 1); vx = (s[4] - s[3] ** 2 / n) / (n - 1)
        c = (s[5] - s[1] * s[3] / n) / (n - 1)
        return np.array([[vy, c], [c, vx]]) / n, np.array([s[1] / n, s[3] / n])
    Sa, ma = arm_cov(a); Sb, mb = arm_cov(b)
    m = np.concatenate([ma, mb])
    S = np.zeros((4, 4)); S[:2, :2] = Sa; S[2:, 2:] = Sb
    g = lambda v: (v[2] / v[3]) / (v[0] / v[1]) - 1
    h = 1e-30
    grad = np.array([(g(m + 1j * h * np.eye(4)[k])).imag / h for k in range(4)])
    return g(m), np.sqrt(grad @ S @ grad)
print("  ", generic_ratio([100, 30, 50, 200, 500, 70], [100, 40, 70, 210, 520, 90]))
