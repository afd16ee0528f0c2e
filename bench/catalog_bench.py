"""Speed of the public catalogue at 10,000 published products in 1,000 groups, served by gunicorn on loopback.

    python bench/catalog_bench.py [--products 10000] [--groups 1000] [--seconds 6] [--concurrency 8,32]

A fresh SQLite database (a file in a temporary folder) is migrated, given the Bali regions and seeded with
1,000 selected groups with a public page and 10,000 published products, each with a photo. gunicorn (2
workers, 4 threads each, the project's middleware) then serves it on 127.0.0.1, and a load generator of
``--concurrency`` keep-alive connections requests each page for ``--seconds``, reporting throughput (req/s)
and the p50/p95 latency, beside a trivial Django view behind the same middleware measured in the same run.

Pages: the catalogue home, a filtered list (category and district), a deep page (after the 5,000th product),
a search, a product page; each cached (the same URL again) and uncached (an ignored parameter that changes
with every request, so the page cache never answers). Targets (issue 11): cached pages ≥ 0.5× the trivial
view, uncached lists ≥ 0.05×, the deep page ≥ 0.9× page 1 (both uncached).
Other arguments (``make bench`` passes ``--db`` to every benchmark) are ignored.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_CACHED, TARGET_UNCACHED, TARGET_DEEP = 0.5, 0.05, 0.9

SETTINGS = """
from config.settings import *  # noqa: F403
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "catbench_urls"
DATABASES["default"] = {{**DATABASES["default"], "NAME": {db!r}}}  # noqa: F405
MEDIA_ROOT = {media!r}
PRIVATE_MEDIA_ROOT = {private!r}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
AXES_ENABLED = False
LOGGING = {{"version": 1, "disable_existing_loggers": True}}
"""
URLS = """
from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/trivial", trivial), path("", include("config.urls"))]
"""


def _env(workdir: Path) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": f"{workdir}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "catbench_settings",
    }
    env.pop("DATABASE_URL", None)
    env["SECRET_KEY"] = "bench-" + "x" * 50
    return env


def child_seed(args) -> dict:
    import django

    django.setup()
    import datetime as dt
    import io
    import random

    from django.core.management import call_command
    from django.utils import timezone
    from PIL import Image

    from tunas.accounts.models import Office
    from tunas.catalog import photos, selectors
    from tunas.catalog.models import Category, GroupProfile, PhotoStatus, Product, ProductPhoto, ProductStatus
    from tunas.core.pagination import keyset_page
    from tunas.programs.models import Program, Stage
    from tunas.regions.models import Village
    from tunas.regions.services import regions_load
    from tunas.registry.models import Group, GroupStatus

    call_command("migrate", verbosity=0)
    regions_load(within="51")
    office = Office.objects.create(name="Dinas Bench", level=Office.Level.REGENCY, region_code="51.05")
    program = Program.objects.create(
        office=office,
        code="BENCH-2018",
        name="Bench",
        fiscal_year=2018,
        funding_source="apbn_bantuan",
        budget_total=1,
        group_size_min=1,
        group_size_max=20,
        aid_form="goods",
        aid_per_group=1,
        status=Stage.MENTORING,
    )
    villages = list(Village.objects.filter(code__startswith="51.05.").values_list("code", flat=True))
    rng = random.Random(2018)
    groups = Group.objects.bulk_create(
        Group(
            program=program,
            name=f"Kelompok {i:04d}",
            business_type="kerajinan",
            village_id=rng.choice(villages),
            status=GroupStatus.MENTORED,
        )
        for i in range(args.groups)
    )
    GroupProfile.objects.bulk_create(
        GroupProfile(
            group=g,
            slug=f"kelompok-{i:04d}",
            consent_publish=True,
            order_phone="+6285237200000",
            story_id="Cerita kelompok.",
            story_en="The group's story.",
        )
        for i, g in enumerate(groups)
    )
    words = [
        "kipas",
        "lontar",
        "keben",
        "tas",
        "jajan",
        "laklak",
        "keripik",
        "ceker",
        "tali",
        "ijuk",
        "sapu",
        "tenun",
    ]
    now = timezone.now()
    products = Product.objects.bulk_create(
        Product(
            group=groups[i % len(groups)],
            slug=f"produk-{i:05d}",
            name=f"{rng.choice(words).title()} {rng.choice(words)} {i}",
            description_id=" ".join(rng.choice(words) for _ in range(30)),
            description_en="Made by hand in the village.",
            category=rng.choice(Category.values),
            price=rng.randint(5, 500) * 1000,
            unit="buah",
            status=ProductStatus.PUBLISHED,
            approved_price=1,
            published_at=now - dt.timedelta(minutes=i),
            featured=i < 8,
        )
        for i in range(args.products)
    )
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 150, 90)).save(out, "JPEG")
    out.seek(0)
    names, width, height = photos.renditions_make(out)
    ProductPhoto.objects.bulk_create(
        ProductPhoto(
            product=p,
            original="catalog/originals/bench",
            renditions=names,
            width=width,
            height=height,
            status=PhotoStatus.READY,
            alt_text=p.name,
        )
        for p in products
    )
    qs = selectors.public_products()
    cursor = None
    for _page in range(5000 // 24):
        cursor = keyset_page(qs, ordering=("-published_at", "pk"), cursor=cursor, size=24).next_cursor
    district = Village.objects.filter(code=groups[0].village_id).values_list("district_id", flat=True).first()
    return {"deep_cursor": cursor, "district": district, "product": products[len(products) // 2].slug}


class Server:
    def __init__(self, workdir: Path, port: int):
        self.port = port
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn, fixed arguments
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=_env(workdir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _i in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/bench/trivial")
                if c.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(self.proc.stderr.read().decode() if self.proc.stderr else "gunicorn did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def load(port: int, path: str, *, concurrency: int, seconds: float, vary: bool) -> dict:
    """``concurrency`` keep-alive connections asking ``path`` for ``seconds``: req/s, p50 and p95 in ms."""
    latencies: list[float] = []
    errors = [0]
    stop_at = time.perf_counter() + seconds
    lock = threading.Lock()
    counter = [0]

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.perf_counter() < stop_at:
            with lock:
                counter[0] += 1
                n = counter[0]
            url = path + (("&" if "?" in path else "?") + f"nocache={n}" if vary else "")
            start = time.perf_counter()
            try:
                conn.request("GET", url, headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": 1000 * statistics.median(latencies) if latencies else None,
        "p95": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
        "max": 1000 * latencies[-1] if latencies else None,
        "errors": errors[0],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=1_000)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--concurrency", default="8,32")
    parser.add_argument("--child", choices=["seed"])
    parser.add_argument("--workdir", help="keep the seeded database here (reused when present)")
    args, _unknown = parser.parse_known_args(argv)
    if args.child == "seed":
        print(json.dumps(child_seed(args)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(args.workdir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "catbench_settings.py").write_text(
            SETTINGS.format(
                db=str(workdir / "bench.sqlite3"),
                media=str(workdir / "media"),
                private=str(workdir / "private"),
            )
        )
        (workdir / "catbench_urls.py").write_text(URLS)
        started = time.perf_counter()
        info_file = workdir / "seeded.json"
        if not info_file.exists():
            seeded = subprocess.run(  # noqa: S603 - our own interpreter and gunicorn, fixed arguments
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "seed",
                    f"--products={args.products}",
                    f"--groups={args.groups}",
                ],
                env=_env(workdir),
                capture_output=True,
                text=True,
                check=True,
            )
            info_file.write_text(seeded.stdout.strip().splitlines()[-1])
        info = json.loads(info_file.read_text())
        print(
            f"seeded {args.products:,} products in {args.groups:,} groups in {time.perf_counter() - started:.0f} s"  # noqa: E501 - a table row reads best on one line
        )
        server = Server(workdir, 8765)
        from urllib.parse import quote

        pages = {
            "trivial view": ("/bench/trivial", False),
            "home (cached)": ("/katalog/", False),
            "home (uncached)": ("/katalog/", True),
            "filtered list (cached)": (
                f"/katalog/produk/?category=kerajinan&district={info['district']}",
                False,
            ),
            "filtered list (uncached)": (
                f"/katalog/produk/?category=kerajinan&district={info['district']}",
                True,
            ),
            "page 1 (uncached)": ("/katalog/produk/", True),
            "deep page (uncached)": (f"/katalog/produk/?after={quote(info['deep_cursor'])}", True),
            "search (cached)": ("/katalog/produk/?q=lontar+kipas", False),
            "search (uncached)": ("/katalog/produk/?q=lontar+kipas", True),
            "product (cached)": (f"/katalog/produk/{info['product']}/", False),
            "product (uncached)": (f"/katalog/produk/{info['product']}/", True),
        }
        try:
            for concurrency in [int(c) for c in args.concurrency.split(",")]:
                results = {}
                for name, (path, vary) in pages.items():
                    load(server.port, path, concurrency=2, seconds=1, vary=vary)  # warm-up
                    results[name] = load(
                        server.port, path, concurrency=concurrency, seconds=args.seconds, vary=vary
                    )
                floor = results["trivial view"]["rps"]
                print(
                    f"\nconcurrency {concurrency}: {'page':28} {'req/s':>8} {'× trivial':>10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>7}"  # noqa: E501 - a table row reads best on one line
                )
                for name, r in results.items():
                    print(
                        f"{'':16}{name:28} {r['rps']:8.0f} {r['rps'] / floor:10.2f} {r['p50']:8.1f} {r['p95']:8.1f} {r['max']:8.0f} {r['errors']:7}"  # noqa: E501 - a table row reads best on one line
                    )
                deep = results["deep page (uncached)"]["rps"] / results["page 1 (uncached)"]["rps"]
                cached = min(r["rps"] for n, r in results.items() if "(cached)" in n) / floor
                uncached = (
                    min(
                        results[n]["rps"]
                        for n in ("filtered list (uncached)", "search (uncached)", "page 1 (uncached)")
                    )
                    / floor
                )
                print(
                    f"{'':16}targets: cached ≥ {TARGET_CACHED}× → {cached:.2f}× {'ok' if cached >= TARGET_CACHED else 'MISSED'}; "  # noqa: E501 - a table row reads best on one line
                    f"uncached lists ≥ {TARGET_UNCACHED}× → {uncached:.2f}× {'ok' if uncached >= TARGET_UNCACHED else 'MISSED'}; "  # noqa: E501 - a table row reads best on one line
                    f"deep/page 1 ≥ {TARGET_DEEP} → {deep:.2f} {'ok' if deep >= TARGET_DEEP else 'MISSED'}"
                )
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
