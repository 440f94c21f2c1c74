"""Generate a public log (公开答复库) of N published answers, for bench/public_log_search.py.

Run (creates the database afresh with `flask db upgrade`, then loads it by COPY):

    .venv/bin/python bench/generate_public.py --database gd_public_1m  --answers 1000000
    .venv/bin/python bench/generate_public.py --database gd_public_10k --answers 10000
    .venv/bin/python bench/generate_public.py --sqlite /tmp/public_100k.db --answers 100000   # FTS5

Each answer is a closed request (the row the entry points to, with only the columns a request must have)
and its entry in `public_answers`, as `domain.public_log.publish` writes it: the subject, its search words
made by the product's own `public_log.tokens`, the outcome, the reply date and year. Subjects are composed
from ~100 government-information topics with skewed weights (a few very common, as 国有土地上房屋征收补偿方案
or 行政处罚决定书, many occasional, a few rare, as 古树名木迁移审批), a year, often a district, a
prefix and a suffix, sometimes two topics in one request: a query finds realistic shares of the log —
征收补偿 ≈ 8 %, 养老保险 ≈ 5 %, 财政预算 ≈ 3 %, 环境影响评价 ≈ 3 %, 古树名木 ≈ 0.03 % (the exact
counts are printed). Entries are in reply-date order (ids grow with time), 2019–2026, over 100 agencies.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp.domain.public_log import tokens

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
FIRST, LAST = dt.date(2019, 1, 1), dt.date(2026, 11, 17)

# (topic, weight): a request's subject holds one (sometimes two), so the weights are the topics' shares
TOPICS: list[tuple[str, float]] = [
    ("国有土地上房屋征收补偿方案", 40),
    ("集体土地征收补偿安置标准", 20),
    ("征收补偿款发放明细", 10),
    ("房屋征收决定及补偿决定书", 8),
    ("行政处罚决定书", 30),
    ("建设项目环境影响评价文件及批复", 25),
    ("规划环境影响评价报告书", 5),
    ("建设用地规划许可证及附图", 25),
    ("建设工程规划许可证", 20),
    ("拆迁安置补偿协议", 20),
    ("征地批复文件", 20),
    ("城镇职工基本养老保险基金收支情况", 20),
    ("城乡居民基本养老保险待遇发放情况", 15),
    ("机关事业单位养老保险缴费基数", 6),
    ("养老保险关系转移接续办理依据", 4),
    ("养老机构运营补贴资金发放名单", 6),
    ("政府采购项目合同", 20),
    ("财政预算执行情况", 20),
    ("部门财政预算草案", 5),
    ("财政预算调整方案", 4),
    ("部门决算及三公经费", 15),
    ("土地出让合同及出让金缴纳情况", 15),
    ("违法建设查处情况", 18),
    ("棚户区改造项目实施方案", 15),
    ("农用地转用审批文件", 12),
    ("不动产登记资料", 12),
    ("学校招生划片范围", 15),
    ("食品安全抽检结果", 12),
    ("交通事故认定的依据", 10),
    ("社会保险费征缴记录", 12),
    ("企业信用监管记录", 8),
    ("职工基本医疗保险报销药品目录", 10),
    ("最低生活保障对象名单", 10),
    ("保障性住房分配情况", 10),
    ("公共租赁住房配租结果", 6),
    ("住房公积金缴存情况", 6),
    ("行政复议决定书", 8),
    ("信访事项处理意见", 8),
    ("道路改造工程招标投标文件", 10),
    ("城市总体规划", 10),
    ("控制性详细规划及调整论证报告", 10),
    ("建筑工程施工许可证", 9),
    ("商品房预售许可证", 9),
    ("建设工程竣工验收备案", 7),
    ("工伤认定决定书", 7),
    ("劳动保障监察投诉处理结果", 6),
    ("户籍迁移审批材料", 5),
    ("出租车经营权配置办法", 3),
    ("公交线路调整论证材料", 4),
    ("排污许可证及执行报告", 6),
    ("大气污染防治专项资金使用情况", 5),
    ("河道整治工程立项批复", 4),
    ("水污染事件调查报告", 3),
    ("噪声扰民投诉处理情况", 5),
    ("垃圾焚烧发电项目选址论证", 3),
    ("危险废物经营许可证", 2),
    ("安全生产事故调查报告", 6),
    ("消防验收意见书", 5),
    ("特种设备检验报告", 2),
    ("药品不良反应监测报告", 1.5),
    ("医疗机构执业许可证", 3),
    ("疫苗接种异常反应处置情况", 1.5),
    ("教师招聘考试成绩及录用名单", 5),
    ("义务教育阶段学校布局调整方案", 4),
    ("民办学校办学许可证", 2),
    ("公务员招录体检结果", 3),
    ("事业单位公开招聘方案", 4),
    ("人大代表建议答复情况", 3),
    ("政协委员提案办理结果", 3),
    ("重大行政决策听证材料", 2),
    ("乡村振兴专项资金分配明细", 4),
    ("农村宅基地审批情况", 6),
    ("土地承包经营权确权登记", 5),
    ("耕地占补平衡指标交易", 2),
    ("林地征占用审批", 2),
    ("古树名木迁移审批", 0.3),
    ("文物保护单位保护范围划定", 0.8),
    ("非物质文化遗产项目补助资金", 0.6),
    ("地下管线普查成果", 0.5),
    ("人防工程易地建设费收缴情况", 0.7),
    ("殡葬设施建设规划", 0.6),
    ("地名命名更名批复", 0.8),
    ("气象灾害预警发布记录", 0.4),
    ("地震安全性评价报告", 0.3),
    ("海域使用权证书", 0.2),
    ("政府债务限额及余额情况", 3),
    ("政府投资项目审计报告", 4),
    ("国有企业负责人薪酬", 1.5),
    ("扶贫资金使用情况", 4),
    ("财政补贴资金发放明细", 6),
    ("价格听证会会议纪要", 1),
    ("物业服务收费标准", 4),
    ("停车收费标准制定依据", 3),
    ("网约车经营许可", 2),
    ("旅游景区门票价格", 1),
]
DISTRICTS = [
    "",
    "",
    "",
    "本市",
    "东城区",
    "西城区",
    "南湖区",
    "北山区",
    "高新区",
    "经开区",
    "临江县",
    "青石县",
]
PLACES = ["", "", "", "", "幸福村", "红星社区", "滨江新城片区", "老城区", "火车站片区", "工业园区"]
PREFIXES = ["申请公开", "申请公开", "请求公开", "请公开", "要求公开", "申请获取", ""]
SUFFIXES = ["", "", "", "的相关文件", "及其依据", "的全部内容", "的批准文件", "及相关会议纪要"]
OUTCOMES = {
    "disclosed": 60,
    "partially_disclosed": 12,
    "not_held": 18,
    "not_exist": 4,
    "requires_creation": 3,
    "unclear": 3,
}


def subjects(n: int, seed: int) -> list[tuple[str, dt.date]]:
    """n (subject, reply date) pairs in date order."""
    rng = random.Random(seed)  # noqa: S311 - test data
    topics = [t for t, _ in TOPICS]
    cum = list(itertools.accumulate(w for _, w in TOPICS))
    span = (LAST - FIRST).days
    # more replies in later years, as the requests grow
    days = sorted(FIRST + dt.timedelta(days=int(span * rng.random() ** 0.8)) for _ in range(n))
    out = []
    for day in days:
        topic = rng.choices(topics, cum_weights=cum)[0]
        if rng.random() < 0.15:
            topic += "和" + rng.choices(topics, cum_weights=cum)[0]
        year = day.year - (1 if rng.random() < 0.7 else rng.randint(0, 4))
        subject = (
            f"{rng.choice(PREFIXES)}{rng.choice(DISTRICTS)}{rng.choice(PLACES)}{year}年{topic}"
            f"{rng.choice(SUFFIXES)}"
        )
        out.append((subject, day))
    return out


def rows(n: int, seed: int, agencies: int) -> list[tuple[object, ...]]:
    """(id, agency, subject, outcome, replied_on, search_tokens) per entry, request id = entry id."""
    rng = random.Random(seed + 1)  # noqa: S311
    keys, cum = list(OUTCOMES), list(itertools.accumulate(OUTCOMES.values()))
    out = []
    for i, (subject, day) in enumerate(subjects(n, seed), start=1):
        agency = min(agencies, 1 + int(rng.random() ** 1.3 * agencies))
        outcome = rng.choices(keys, cum_weights=cum)[0]
        out.append((i, agency, subject, outcome, day, " ".join(tokens(subject))))
    return out


def esc(v: object) -> str:
    return "\\N" if v is None else str(v)


def line(*values: object) -> str:
    return "\t".join(map(esc, values)) + "\n"


def upgrade(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "RATELIMIT_ENABLED": "false"}
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv/bin/flask"), "--app", "webapp", "db", "upgrade"],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
    )


def load_pg(database: str, data: list[tuple[object, ...]], agencies: int) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    url = f"{PG}/{database}"
    upgrade(url)
    t0 = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('requests', 'public_answers') "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("SET session_replication_role = replica")  # the rows are consistent by construction
        now = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
        with conn.cursor() as cur:
            with cur.copy(
                "COPY agencies (id, code, name, rules, report_settings, created_at) FROM STDIN"
            ) as cp:
                for a in range(1, agencies + 1):
                    cp.write(line(a, f"A{a:03d}", f"机关{a:03d}", "{}", "{}", now))
            with cur.copy(
                "COPY requests (id, tracking_number, access_code_hash, agency_id, channel, received_on, "
                "applicant_type, applicant_name, description, delivery, rules, status, due_provisional, "
                "extended_days, correction_requested, outcome, finished_on, created_at, updated_at, version) "
                "FROM STDIN"
            ) as cp:
                for rid, agency, subject, outcome, day, _ in data:
                    received = day - dt.timedelta(days=15)
                    at = dt.datetime.combine(received, dt.time(2), tzinfo=dt.UTC)
                    cp.write(
                        line(
                            rid,
                            f"P{rid:09d}",
                            f"{rid:064x}",
                            agency,
                            "online",
                            received,
                            "natural_person",
                            "申请人",
                            subject,
                            "email",
                            "2019",
                            "replied",
                            "f",
                            0,
                            "f",
                            outcome,
                            day,
                            at,
                            at,
                            1,
                        )
                    )
            with cur.copy(
                "COPY public_answers (id, request_id, agency_id, subject, outcome, replied_on, year, "
                "search_tokens, published_at) FROM STDIN"
            ) as cp:
                for rid, agency, subject, outcome, day, words in data:
                    at = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)
                    cp.write(line(rid, rid, agency, subject, outcome, day, day.year, words, at))  # type: ignore[attr-defined]
            for table in ("agencies", "requests", "public_answers"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
        conn.commit()
        t_rows = time.perf_counter() - t0
        conn.execute("SET session_replication_role = origin")
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            conn.execute(definition)
        conn.commit()
        t_idx = time.perf_counter() - t0 - t_rows
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('public_answers'))").fetchone()
    print(
        f"{database}: {len(data):,} entries by COPY in {t_rows:.1f} s, "
        f"{len(indexes)} indexes in {t_idx:.1f} s, "
        f"public_answers {size[0] if size else '?'} with its indexes; total {time.perf_counter() - t0:.1f} s"
    )


def load_sqlite(path: str, data: list[tuple[object, ...]], agencies: int) -> None:
    Path(path).unlink(missing_ok=True)
    upgrade(f"sqlite:///{path}")
    t0 = time.perf_counter()
    conn = sqlite3.connect(path)
    now = "2019-01-01 00:00:00.000000"
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.executemany(
        "INSERT INTO agencies (id, code, name, rules, report_settings, created_at) "
        "VALUES (?, ?, ?, '{}', '{}', ?)",
        [(a, f"A{a:03d}", f"机关{a:03d}", now) for a in range(1, agencies + 1)],
    )
    conn.executemany(
        "INSERT INTO requests (id, tracking_number, access_code_hash, agency_id, channel, received_on, "
        "applicant_type, applicant_name, description, delivery, rules, status, due_provisional, "
        "extended_days, correction_requested, outcome, finished_on, created_at, updated_at, version) "
        "VALUES (?, ?, ?, ?, 'online', ?, 'natural_person', '申请人', ?, 'email', '2019', 'replied', "
        "0, 0, 0, ?, ?, ?, ?, 1)",
        [
            (rid, f"P{rid:09d}", f"{rid:064x}", agency, str(day), subject, outcome, str(day), now, now)
            for rid, agency, subject, outcome, day, _ in data
        ],
    )
    conn.executemany(  # the FTS5 table is filled by the migration's trigger, as in the product
        "INSERT INTO public_answers (id, request_id, agency_id, subject, outcome, replied_on, year, "
        "search_tokens, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (rid, rid, agency, subject, outcome, str(day), day.year, words, f"{day} 08:00:00.000000")
            for rid, agency, subject, outcome, day, words in data
        ],
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    print(f"{path}: {len(data):,} entries in {time.perf_counter() - t0:.1f} s (SQLite, FTS5 by trigger)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", help="PostgreSQL database (dropped and re-created)")
    ap.add_argument("--sqlite", help="an SQLite file instead (re-created)")
    ap.add_argument("--answers", type=int, default=1_000_000)
    ap.add_argument("--agencies", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20261205)
    args = ap.parse_args()
    if not (args.database or args.sqlite):
        sys.exit("--database or --sqlite")
    t0 = time.perf_counter()
    data = rows(args.answers, args.seed, args.agencies)
    print(f"{args.answers:,} subjects and their search words in {time.perf_counter() - t0:.1f} s")
    for q in ("征收补偿", "养老保险", "财政预算", "环境影响评价", "古树名木"):
        k = sum(q in r[2] for r in data)  # type: ignore[operator]
        print(f"  {q}: {k:,} entries ({100 * k / len(data):.2f} %)")
    if args.database:
        load_pg(args.database, data, args.agencies)
    else:
        load_sqlite(args.sqlite, data, args.agencies)


if __name__ == "__main__":
    main()
