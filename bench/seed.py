#!/usr/bin/env python3
"""Bulk seed for the standing benchmark: subjects and approved cases written straight into the database.

    python3 bench/seed.py DATABASE_URL CODES_FILE [--subjects N] [--cases N] [--seed S]

The database must be freshly migrated (`medcredit migrate`), which also loads the violation catalogue; the
catalogue is read back from it so that `type_id`s are the real ones. What an approval writes through the API is
reproduced here row by row (DESIGN §4–§5, src/service/workflow.rs and src/service/engine.rs):

    subjects               every kind, codes matching DESIGN §2, valid USCC and GB 11643 check characters
    violations             state `approved`, points inside the catalogue range, approved in the current cycle
    violation_transitions  recorded → reviewed → approved, three rows per case
    credit_entries         one `deduction` per practitioner / institution / pharmacy case (insured have no points)
    sanctions              what the threshold engine would have created: practitioners' suspensions (9/10/11 →
    sanction_violations    1/2/3 months, extended as points grow) and terminations (12), insured persons'
                           settlement suspensions; each linked to the cases it rests on
    audit_log              not written: the bench reads standing, which does not look at it

Deterministic: the same seed and counts give the same rows (only timestamps move with today's date, since cases
must fall in the current cycle). Fast: SQLite through one transaction of executemany, PostgreSQL through one
`psql` session of COPY ... FROM STDIN in one transaction. Writes every subject code, shuffled, to CODES_FILE.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import random
import sqlite3
import subprocess
import sys
from collections import defaultdict

CST = dt.timezone(dt.timedelta(hours=8))

# Regions (admdvs) the subjects are spread over.
REGIONS = [
    "370102", "370103", "370104", "370105", "370112", "370202", "370203", "370211",
    "110101", "110105", "310101", "310104", "440103", "440104", "440305", "330102",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌波宁飞欣怡浩然子轩梓涵雨晨"
PROFESSIONS = ["physician"] * 70 + ["pharmacist"] * 12 + ["nurse"] * 10 + ["technician"] * 5 + [
    "reviewer", "pharmacy_head", "pharmacy_head"]
LEVELS = ["一级", "二级", "二级甲等", "三级", "三级甲等", "未定级"]

# Kinds of subject and of case, as shares of the totals.
SUBJECT_SHARES = {"practitioner": 0.80, "institution": 0.04, "pharmacy": 0.06, "insured": 0.10}
CASE_SHARES = {"practitioner": 0.70, "institution": 0.12, "pharmacy": 0.10, "insured": 0.08}
# Share of practitioners who are repeat offenders with 3–5 cases each (they are the ones past 9 points).
REPEAT_OFFENDERS = 0.01
# Minor behaviour is common, very serious rare.
SEVERITY_WEIGHTS = {"minor": 45, "general": 35, "serious": 15, "very_serious": 5}

# Practitioners' 12-point ladder (policy defaults, src/domain/policy.rs).
SUSPENSION_LADDER = [(9, 1), (10, 2), (11, 3)]
TERMINATION_POINTS = 12
BAN_YEARS_ACCUMULATED, BAN_YEARS_SINGLE_EVENT = 1, 3

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

INSPECTOR, REVIEWER, APPROVER = "bench-inspector", "bench-reviewer", "bench-approver"

# Column lists, in the order the rows below are built. They follow migration/src/*.rs.
COLUMNS = {
    "subjects": ["id", "kind", "code", "name", "region", "uscc", "id_number", "profession",
                 "insurance_type", "level", "responsible_person", "created_at", "updated_at"],
    "violations": ["id", "subject_id", "subject_code", "subject_kind", "type_id", "type_code", "state",
                   "occurred_on", "discovered_on", "description", "amount_involved_fen",
                   "amount_to_recover_fen", "evidence", "responsibility", "institution_code",
                   "institution_liable", "transferred_to_judiciary", "major", "points",
                   "settlement_suspension_months", "fine_multiple", "recorded_by", "reviewed_by",
                   "approved_by", "approved_at", "report_due", "cycle", "idempotency_key", "request_hash",
                   "created_at", "updated_at"],
    "violation_transitions": ["id", "violation_id", "from_state", "to_state", "actor", "role", "reason", "at"],
    "credit_entries": ["id", "subject_id", "kind", "points", "cycle", "violation_id", "reason", "created_by",
                       "at"],
    "sanctions": ["id", "subject_id", "subject_code", "type", "scope", "starts_on", "ends_on", "ban_until",
                  "amount_fen", "reason", "automatic", "threshold_key", "lifted_on", "lifted_reason",
                  "revoked_at", "revoked_reason", "created_by", "created_at", "updated_at"],
    "sanction_violations": ["sanction_id", "violation_id"],
}
# Tables with a generated `id` whose PostgreSQL sequence must move past the ids written here.
WITH_SEQUENCE = ["subjects", "violations", "violation_transitions", "credit_entries", "sanctions"]


def id_check(body17: str) -> str:
    return "10X98765432"[sum(w * int(c) for w, c in zip(ID_WEIGHTS, body17)) % 11]


def uscc_check(body17: str) -> str:
    total = sum(w * USCC_CHARSET.index(c) for w, c in zip(USCC_WEIGHTS, body17))
    return USCC_CHARSET[(31 - total % 31) % 31]


def add_months(d: dt.date, months: int) -> dt.date:
    """`d` plus whole months, clamped to the end of a shorter month (src/domain/dates.rs add_months)."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def last_day_of_term(starts_on: dt.date, months: int) -> dt.date:
    """src/domain/sanctions.rs last_day_of_term."""
    after = add_months(starts_on, months)
    return after if after.day != starts_on.day else after - dt.timedelta(days=1)


def legal_date(at: dt.datetime) -> dt.date:
    return at.astimezone(CST).date()


class Generator:
    def __init__(self, seed: int, subjects: int, cases: int, types: list[dict], now: dt.datetime):
        self.rng = random.Random(seed)
        self.n_subjects, self.n_cases = subjects, cases
        self.types = types
        self.now = now
        self.cycle = legal_date(now).year
        self.cycle_start = dt.datetime(self.cycle, 1, 1, tzinfo=CST).astimezone(dt.timezone.utc)
        self.rows: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
        self.by_kind: dict[str, list[tuple]] = defaultdict(list)  # kind → [(id, code)]
        self.id_numbers: set[str] = set()

    # -- subjects ---------------------------------------------------------------------------------------------

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def id_number(self, region: str) -> str:
        while True:
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=self.rng.randrange(365 * 55))
            body = f"{region}{birth:%Y%m%d}{self.rng.randrange(1000):03d}"
            number = body + id_check(body)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def uscc(self, region: str, prefix: str) -> str:
        body = prefix + region + "".join(self.rng.choice(USCC_CHARSET) for _ in range(9))
        return body + uscc_check(body)

    def subjects(self) -> None:
        counts = {kind: int(self.n_subjects * share) for kind, share in SUBJECT_SHARES.items()}
        counts["practitioner"] += self.n_subjects - sum(counts.values())
        created = self.cycle_start - dt.timedelta(days=400)
        next_id = 1
        serial = defaultdict(int)  # (kind, region) → last serial used
        # Practitioners first, so pharmacies can name one as their responsible person.
        for kind in ("practitioner", "institution", "pharmacy", "insured"):
            for _ in range(counts[kind]):
                region = self.rng.choice(REGIONS)
                serial[kind, region] += 1
                n = serial[kind, region]
                uscc = id_number = profession = insurance_type = level = responsible = None
                if kind == "practitioner":
                    code = f"D{region}{n:06d}"          # ^D\d{12}$
                    name, id_number = self.name(), self.id_number(region)
                    profession = self.rng.choice(PROFESSIONS)
                elif kind == "institution":
                    code = f"H{region}{n:05d}"          # ^H\d{11}$
                    name = f"{region}区第{n}医院"
                    uscc, level = self.uscc(region, "12"), self.rng.choice(LEVELS)
                elif kind == "pharmacy":
                    code = f"P{region}{n:05d}"          # ^P\d{11}$
                    name = f"{region}第{n}大药房"
                    uscc = self.uscc(region, "92")
                    responsible = self.rng.choice(self.by_kind["practitioner"])[1]
                else:
                    id_number = self.id_number(region)
                    code, name = id_number, self.name()  # an insured person's code is the ID number
                    insurance_type = self.rng.choice(("employee", "resident"))
                at = created + dt.timedelta(seconds=self.rng.randrange(86400 * 365))
                self.rows["subjects"].append((next_id, kind, code, name, region, uscc, id_number, profession,
                                              insurance_type, level, responsible, at, at))
                self.by_kind[kind].append((next_id, code))
                next_id += 1

    # -- cases ------------------------------------------------------------------------------------------------

    def case_subjects(self) -> list[tuple[str, int, str]]:
        """(kind, subject id, code) for every case, before the case ids are given out in approval order."""
        counts = {kind: int(self.n_cases * share) for kind, share in CASE_SHARES.items()}
        counts["practitioner"] += self.n_cases - sum(counts.values())
        picks = []
        practitioners = self.by_kind["practitioner"]
        offenders = self.rng.sample(practitioners, max(1, int(len(practitioners) * REPEAT_OFFENDERS)))
        repeat = []
        for subject in offenders:
            repeat += [subject] * self.rng.randint(3, 5)
        repeat = repeat[: counts["practitioner"]]
        picks += [("practitioner", *s) for s in repeat]
        picks += [("practitioner", *self.rng.choice(practitioners)) for _ in range(counts["practitioner"] - len(repeat))]
        for kind in ("institution", "pharmacy", "insured"):
            picks += [(kind, *self.rng.choice(self.by_kind[kind])) for _ in range(counts[kind])]
        return picks

    def pick_type(self, kind: str) -> dict:
        candidates = [t for t in self.types if kind in t["applies_to"]]
        per_severity = defaultdict(int)
        for t in candidates:
            per_severity[t["severity"]] += 1
        # The weights are per severity, shared by the entries of that severity.
        weights = [SEVERITY_WEIGHTS.get(t["severity"], 1) / per_severity[t["severity"]] for t in candidates]
        return self.rng.choices(candidates, weights)[0]

    def cases(self) -> None:
        picks = self.case_subjects()
        span = int((self.now - dt.timedelta(hours=1) - self.cycle_start).total_seconds())
        # Fractions of the span rather than randrange(span), so that the draws do not depend on today's date.
        approvals = sorted(self.cycle_start + dt.timedelta(seconds=int(self.rng.random() * span))
                           for _ in picks)
        self.rng.shuffle(picks)
        institutions = self.by_kind["institution"]
        transition_id = 0
        # Per practitioner: running points and the cycle's sanctions, as the engine keeps them.
        self.points = defaultdict(int)
        self.suspension: dict[int, list] = {}
        self.terminated: set[int] = set()
        for case_id, ((kind, subject_id, code), approved_at) in enumerate(zip(picks, approvals), start=1):
            vtype = self.pick_type(kind)
            points = self.rng.randint(vtype["points_min"], vtype["points_max"])
            reviewed_at = approved_at - dt.timedelta(seconds=self.rng.randrange(3600, 86400 * 5))
            recorded_at = reviewed_at - dt.timedelta(seconds=self.rng.randrange(3600, 86400 * 10))
            discovered = legal_date(recorded_at) - dt.timedelta(days=self.rng.randrange(0, 30))
            occurred = discovered - dt.timedelta(days=self.rng.randrange(0, 120))
            involved = self.rng.randrange(1_000, 4_000_000)  # ≤ 50,000 yuan: no major cases, no report_due
            recover = self.rng.randrange(0, involved + 1)
            responsibility = institution_code = months = fine = None
            if kind == "practitioner":
                responsibility = self.rng.choice(("general", "important", "main"))
                institution_code = self.rng.choice(institutions)[1]
            elif kind == "insured":
                months, fine = self.rng.randint(3, 12), self.rng.randint(2, 5)
            self.rows["violations"].append((
                case_id, subject_id, code, kind, vtype["id"], vtype["code"], "approved", occurred, discovered,
                f"bench case {case_id}: {vtype['name']}", involved, recover, "[]", responsibility,
                institution_code, False, False, False, points, months, fine, INSPECTOR, REVIEWER, APPROVER,
                approved_at, None, self.cycle, None, None, recorded_at, approved_at))
            for from_state, to_state, actor, role, at in (
                (None, "recorded", INSPECTOR, "inspector", recorded_at),
                ("recorded", "reviewed", REVIEWER, "reviewer", reviewed_at),
                ("reviewed", "approved", APPROVER, "approver", approved_at),
            ):
                transition_id += 1
                self.rows["violation_transitions"].append(
                    (transition_id, case_id, from_state, to_state, actor, role, None, at))
            if kind != "insured":
                self.rows["credit_entries"].append((
                    len(self.rows["credit_entries"]) + 1, subject_id, "deduction", points, self.cycle, case_id,
                    f"{vtype['code']} {vtype['name']}", APPROVER, approved_at))
            starts_on = legal_date(approved_at) + dt.timedelta(days=1)
            if kind == "practitioner":
                self.threshold(subject_id, code, case_id, points, starts_on, approved_at)
            elif kind == "insured":
                reason = (f"{vtype['code']} {vtype['name']}: networked settlement suspended for {months} months "
                          "(条例第四十一条)")
                self.sanction(subject_id, code, case_id, "settlement_suspension", starts_on,
                              last_day_of_term(starts_on, months), None, reason,
                              f"insured-settlement:{case_id}", approved_at)

    def sanction(self, subject_id, code, case_id, kind, starts_on, ends_on, ban_until, reason, key, at) -> list:
        row = [len(self.rows["sanctions"]) + 1, subject_id, code, kind, "all", starts_on, ends_on, ban_until,
               None, reason, True, key, None, None, None, None, APPROVER, at, at]
        self.rows["sanctions"].append(row)
        self.rows["sanction_violations"].append((row[0], case_id))
        return row

    def threshold(self, subject_id, code, case_id, points, starts_on, at) -> None:
        """src/service/engine.rs apply_threshold, with the default policy."""
        self.points[subject_id] += points
        total, cycle = self.points[subject_id], self.cycle
        if points >= TERMINATION_POINTS or total >= TERMINATION_POINTS:
            if subject_id in self.terminated:
                return
            self.terminated.add(subject_id)
            single = points >= TERMINATION_POINTS
            years = BAN_YEARS_SINGLE_EVENT if single else BAN_YEARS_ACCUMULATED
            reason = (f"{total} points in {cycle}{' from a single event' if single else ''}: payment "
                      f"qualification terminated, no re-registration for {years} year(s)")
            self.sanction(subject_id, code, case_id, "qualification_termination", starts_on, None,
                          add_months(starts_on, 12 * years), reason, f"practitioner-termination:{subject_id}:{cycle}",
                          at)
            return
        reached = [months for line, months in SUSPENSION_LADDER if line <= total]
        if not reached:
            return
        months = max(reached)
        reason = (f"{total} points in {cycle}: payment qualification suspended for {months} month(s) "
                  "(医保发〔2024〕23号)")
        current = self.suspension.get(subject_id)
        if current is None:
            self.suspension[subject_id] = self.sanction(
                subject_id, code, case_id, "qualification_suspension", starts_on,
                last_day_of_term(starts_on, months), None, reason,
                f"practitioner-suspension:{subject_id}:{cycle}", at)
            return
        self.rows["sanction_violations"].append((current[0], case_id))
        ends_on = last_day_of_term(current[5], months)
        if current[6] < ends_on:
            current[6], current[9], current[18] = ends_on, reason, at

    def summary(self) -> str:
        totals = list(self.points.values())
        kinds = defaultdict(int)
        for row in self.rows["sanctions"]:
            kinds[row[3]] += 1
        return (f"{len(self.rows['subjects'])} subjects, {len(self.rows['violations'])} approved cases, "
                f"{len(self.rows['credit_entries'])} ledger entries, {len(self.rows['sanctions'])} sanctions "
                f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); practitioners with ≥ 9 points: "
                f"{sum(t >= 9 for t in totals)}, ≥ 12: {sum(t >= 12 for t in totals)}")


# -- databases --------------------------------------------------------------------------------------------------

def sqlite_path(url: str) -> str:
    rest = url.split(":", 1)[1]
    rest = rest[2:] if rest.startswith("//") else rest
    return rest.split("?", 1)[0]


def sqlite_value(v):
    if isinstance(v, dt.datetime):  # what sqlx writes for DateTime<Utc>: RFC 3339, "+00:00"
        return v.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    return v


def pg_value(v) -> str:
    if v is None:
        return r"\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S+00")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def read_types_sqlite(path: str) -> list[dict]:
    with sqlite3.connect(path) as db:
        return parse_types(db.execute(TYPES_SQL).fetchall())


def read_types_pg(url: str) -> list[dict]:
    out = subprocess.run(["psql", url, "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", TYPES_SQL],
                         check=True, capture_output=True, text=True).stdout
    return parse_types([line.split("\t") for line in out.splitlines() if line])


# Current version of each catalogue entry (all cases fall in this cycle, after every effective_from).
TYPES_SQL = ("SELECT id, code, name, applies_to, severity, points_min, points_max FROM violation_types "
             "WHERE effective_to IS NULL ORDER BY id")


def parse_types(rows) -> list[dict]:
    types = [{"id": int(r[0]), "code": r[1], "name": r[2], "applies_to": r[3].split(","), "severity": r[4],
              "points_min": max(int(r[5]), 0), "points_max": max(int(r[6]), 0)} for r in rows]
    if not types:
        sys.exit("seed: violation_types is empty; run `medcredit migrate` first")
    return types


def check_empty_sqlite(db) -> None:
    if db.execute("SELECT count(*) FROM subjects").fetchone()[0]:
        sys.exit("seed: subjects is not empty; seed a freshly migrated database")


def load_sqlite(path: str, rows: dict[str, list]) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    check_empty_sqlite(db)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("BEGIN")
    for table, cols in COLUMNS.items():
        quoted = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" * len(cols))
        db.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})',
                       ([sqlite_value(v) for v in row] for row in rows[table]))
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()


def load_pg(url: str, rows: dict[str, list]) -> None:
    count = subprocess.run(["psql", url, "-X", "-At", "-c", "SELECT count(*) FROM subjects"],
                           check=True, capture_output=True, text=True).stdout.strip()
    if count != "0":
        sys.exit("seed: subjects is not empty; seed a freshly migrated database")
    psql = subprocess.Popen(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    out = psql.stdin
    for table, cols in COLUMNS.items():
        quoted = ", ".join(f'"{c}"' for c in cols)
        out.write(f'COPY "{table}" ({quoted}) FROM STDIN;\n')
        for row in rows[table]:
            out.write("\t".join(pg_value(v) for v in row))
            out.write("\n")
        out.write("\\.\n")
    for table in WITH_SEQUENCE:
        out.write(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                  f"(SELECT COALESCE(max(id), 0) + 1 FROM \"{table}\"), false);\n")
    out.close()
    if psql.wait() != 0:
        sys.exit("seed: psql failed")
    # Outside the transaction: fresh statistics, as after any bulk import.
    subprocess.run(["psql", url, "-X", "-q", "-c", "ANALYZE"], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("codes_file", help="where to write every subject code, shuffled, one per line")
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()

    url = args.database_url
    postgres = url.startswith(("postgres://", "postgresql://"))
    if not postgres and not url.startswith("sqlite:"):
        sys.exit(f"seed: unsupported DATABASE_URL {url!r}")
    types = read_types_pg(url) if postgres else read_types_sqlite(sqlite_path(url))

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    gen = Generator(args.seed, args.subjects, args.cases, types, now)
    gen.subjects()
    gen.cases()
    if postgres:
        load_pg(url, gen.rows)
    else:
        load_sqlite(sqlite_path(url), gen.rows)

    codes = [row[2] for row in gen.rows["subjects"]]
    random.Random(args.seed).shuffle(codes)
    with open(args.codes_file, "w") as f:
        f.write("\n".join(codes) + "\n")
    print(f"seeded {gen.summary()}")


if __name__ == "__main__":
    main()
