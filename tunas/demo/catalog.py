"""Demo catalog records for the 2018 programme, made through the catalog app's services.

The four 2018 groups get a public page (story in both languages, an order number of their own), two or
three products each with prices of 2018 village scale, and pictures drawn here with Pillow (nothing is
downloaded); the Klungkung office records one exhibition. Idempotent: records are looked up by group and
name, and only what is missing is made.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from tunas.accounts.models import User
from tunas.catalog import services
from tunas.catalog.models import Category, Exhibition, PhotoStatus, Product, ProductClick, ProductStatus
from tunas.programs.models import Program
from tunas.registry.models import Group

W, H = 1200, 900
Draw = Callable[[ImageDraw.ImageDraw, random.Random], None]


# Pictures -------------------------------------------------------------------------------------------------


def _backdrop(base: tuple[int, int, int]) -> Image.Image:
    """A soft vertical gradient, like a product photographed on a table against a wall."""
    image = Image.new("RGB", (W, H), base)
    draw = ImageDraw.Draw(image)
    for y in range(H):
        shade = 1 - 0.25 * (y / H)
        draw.line([(0, y), (W, y)], fill=tuple(int(c * shade) for c in base))
    draw.rectangle([0, int(H * 0.7), W, H], fill=tuple(int(c * 0.78) for c in base))
    return image


def _fan(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    cx, cy, r = W // 2, int(H * 0.72), 420
    draw.pieslice(
        [cx - r, cy - r, cx + r, cy + r], 200, 340, fill=(222, 190, 120), outline=(150, 110, 50), width=6
    )
    for angle in range(202, 340, 7):
        a = math.radians(angle)
        draw.line([(cx, cy), (cx + r * math.cos(a), cy + r * math.sin(a))], fill=(170, 128, 60), width=4)
    for k in range(5):
        rr = 140 + k * 55
        draw.arc([cx - rr, cy - rr, cx + rr, cy + rr], 205, 335, fill=(120, 60, 30), width=3)
    draw.rectangle([cx - 18, cy - 10, cx + 18, cy + 170], fill=(110, 70, 35))


def _box(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    x0, y0, x1, y1 = 330, 300, 870, 720
    draw.rectangle([x0, y0 + 60, x1, y1], fill=(214, 178, 104), outline=(120, 80, 30), width=6)
    for x in range(x0 + 20, x1, 40):
        draw.line([(x, y0 + 70), (x, y1 - 10)], fill=(175, 135, 70), width=5)
    draw.polygon([(x0 - 30, y0 + 60), (x1 + 30, y0 + 60), (x1 - 20, y0), (x0 + 20, y0)], fill=(190, 150, 80))
    draw.ellipse([W // 2 - 40, y0 - 70, W // 2 + 40, y0 + 10], fill=(200, 40, 40))


def _bag(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.arc([430, 150, 770, 500], 180, 360, fill=(120, 80, 30), width=22)
    draw.rounded_rectangle(
        [330, 320, 870, 760], radius=40, fill=(218, 186, 118), outline=(130, 90, 40), width=6
    )
    for y in range(350, 740, 36):
        draw.line([(350, y), (850, y)], fill=(180, 140, 75), width=6)
    for x in range(360, 850, 48):
        draw.line([(x, 340), (x, 745)], fill=(196, 158, 92), width=3)


def _snacks(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.ellipse([170, 420, 1030, 820], fill=(120, 150, 70))  # a banana leaf on a plate
    draw.ellipse([230, 450, 970, 790], fill=(90, 130, 55))
    colours = [(236, 110, 150), (250, 245, 230), (120, 190, 90), (250, 200, 70), (170, 90, 60)]
    for _i in range(14):
        x, y = rng.randint(300, 860), rng.randint(480, 700)
        w, h = rng.randint(60, 110), rng.randint(40, 70)
        draw.rounded_rectangle(
            [x, y, x + w, y + h], radius=14, fill=rng.choice(colours), outline=(60, 60, 40)
        )


def _laklak(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.ellipse([200, 430, 1000, 830], fill=(240, 240, 235), outline=(200, 200, 190), width=6)
    for i in range(9):
        x, y = 330 + (i % 3) * 190, 470 + (i // 3) * 105
        draw.ellipse([x, y, x + 150, y + 90], fill=(110, 175, 90), outline=(70, 120, 50), width=3)
        draw.ellipse([x + 45, y + 25, x + 105, y + 60], fill=(250, 250, 245))
    for _i in range(120):
        x, y = rng.randint(300, 900), rng.randint(470, 790)
        draw.point([(x, y)], fill=(120, 80, 40))


def _gipang(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for i in range(6):
        x, y = 260 + (i % 3) * 240, 400 + (i // 3) * 190
        draw.rounded_rectangle(
            [x, y, x + 200, y + 150], radius=12, fill=(215, 160, 70), outline=(140, 90, 30), width=4
        )
        for _j in range(40):
            px, py = rng.randint(x + 10, x + 190), rng.randint(y + 10, y + 140)
            draw.ellipse([px, py, px + 8, py + 5], fill=(245, 225, 170))


def _chips(draw: ImageDraw.ImageDraw, rng: random.Random, spicy: bool = False) -> None:
    draw.rounded_rectangle(
        [380, 140, 820, 800], radius=30, fill=(250, 250, 250), outline=(180, 180, 180), width=5
    )
    draw.rectangle([380, 140, 820, 220], fill=(200, 30, 30) if spicy else (230, 150, 20))
    draw.rounded_rectangle([430, 300, 770, 760], radius=20, fill=(255, 248, 230))
    for _i in range(22):
        x, y = rng.randint(440, 720), rng.randint(320, 710)
        points = [(x + rng.randint(0, 60), y + rng.randint(0, 40)) for _k in range(6)]
        draw.polygon(points, fill=(212, 150, 50) if not spicy else (200, 100, 40), outline=(150, 90, 20))
    if spicy:
        for _i in range(30):
            x, y = rng.randint(440, 760), rng.randint(320, 740)
            draw.ellipse([x, y, x + 10, y + 6], fill=(60, 120, 40))


def _chips_spicy(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _chips(draw, rng, spicy=True)


def _rope(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    cx, cy = W // 2, int(H * 0.6)
    for r in range(40, 330, 18):
        draw.ellipse([cx - r, cy - int(r * 0.6), cx + r, cy + int(r * 0.6)], outline=(45, 35, 30), width=14)
        draw.ellipse([cx - r, cy - int(r * 0.6), cx + r, cy + int(r * 0.6)], outline=(85, 65, 50), width=4)
    for _i in range(300):
        x, y = rng.randint(cx - 330, cx + 330), rng.randint(cy - 200, cy + 200)
        draw.line([(x, y), (x + rng.randint(-12, 12), y + rng.randint(-12, 12))], fill=(30, 25, 20), width=1)


def _broom(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle([570, 60, 630, 470], fill=(150, 100, 55), outline=(100, 65, 30), width=3)
    draw.rectangle([540, 440, 660, 500], fill=(90, 60, 30))
    for _i in range(160):
        x0 = rng.randint(550, 650)
        draw.line(
            [(x0, 490), (x0 + rng.randint(-220, 220), 830)],
            fill=rng.choice([(30, 25, 20), (55, 42, 32)]),
            width=3,
        )


def picture(draw_fn: Draw, *, base: tuple[int, int, int], seed: str) -> bytes:
    """One product picture as a JPEG, the same on every machine."""
    image = _backdrop(base)
    draw_fn(ImageDraw.Draw(image), random.Random(seed))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


# What the groups make -------------------------------------------------------------------------------------


@dataclass
class DemoProduct:
    name: str
    category: str
    price: int
    unit: str
    description_id: str
    description_en: str
    pictures: list[tuple[Draw, tuple[int, int, int], str]]
    min_order: int = 1
    nib: str = ""
    pirt: str = ""
    halal: str = ""
    featured: bool = False


@dataclass
class DemoProfile:
    group: str
    story_id: str
    story_en: str
    order_phone: str
    products: list[DemoProduct] = field(default_factory=list)
    chair_account: bool = False
    mentored: bool = False


PROFILES = [
    DemoProfile(
        "Kerajinan Lontar Besang",
        "Ibu-ibu dan bapak-bapak Banjar Besang menganyam dan mengukir daun lontar sejak lama untuk keperluan "
        "upacara. Setelah pelatihan tahun 2018 mereka membuat kipas, keben dan tas yang bisa dibawa pulang "
        "sebagai oleh-oleh dari Klungkung.",
        "The families of Banjar Besang have long woven and carved lontar palm leaves for temple ceremonies. "
        "Since their training in 2018 they also make fans, lidded baskets and bags to take home from "
        "Klungkung.",
        "+6285237201801",
        [
            DemoProduct(
                "Kipas Lontar Ukir",
                Category.CRAFTS,
                35_000,
                "buah",
                "Kipas tangan dari daun lontar pilihan, dianyam dan diukir dengan motif Bali. Ringan dan "
                "awet.",
                "A hand fan of selected lontar leaves, woven and carved with Balinese patterns. Light and "
                "durable.",
                [(_fan, (236, 226, 205), "kipas-1"), (_fan, (210, 225, 215), "kipas-2")],
                nib="9120001234567",
                featured=True,
            ),
            DemoProduct(
                "Keben Lontar",
                Category.CRAFTS,
                150_000,
                "buah",
                "Kotak berpenutup dari anyaman lontar untuk membawa canang dan sesajen, tinggi sekitar 25 "
                "cm.",
                "A lidded woven lontar box for carrying temple offerings, about 25 cm high.",
                [(_box, (240, 232, 214), "keben-1")],
                nib="9120001234567",
            ),
            DemoProduct(
                "Tas Anyaman Lontar",
                Category.CRAFTS,
                120_000,
                "buah",
                "Tas jinjing anyaman lontar dengan pegangan rotan. Dapat dipesan dengan warna alami atau "
                "cokelat.",
                "A woven lontar tote with a rattan handle, in natural or brown.",
                [(_bag, (228, 222, 210), "tas-1")],
                min_order=1,
                nib="9120001234567",
            ),
        ],
        chair_account=True,
        mentored=True,
    ),
    DemoProfile(
        "Jajan Bali Sengguan",
        "Kelompok ibu rumah tangga Banjar Sengguan membuat jajan Bali untuk upacara dan oleh-oleh: uli, "
        "laklak, gipang dan lainnya, dibuat segar setiap hari dari bahan lokal.",
        "A group of women of Banjar Sengguan making Balinese cakes for ceremonies and as gifts: uli, laklak, "
        "gipang and more, made fresh every day from local ingredients.",
        "+6285237201802",
        [
            DemoProduct(
                "Paket Jaja Bali Campur",
                Category.SNACKS,
                25_000,
                "paket",
                "Satu paket berisi jaja uli, bantal, klepon dan lapis, cukup untuk 4 orang. Pesan sehari "
                "sebelumnya.",
                "A box of uli, bantal, klepon and lapis cakes for four people. Order a day ahead.",
                [(_snacks, (245, 236, 220), "jaja-1"), (_snacks, (235, 225, 240), "jaja-2")],
                min_order=5,
                pirt="2065105010123-23",
                featured=True,
            ),
            DemoProduct(
                "Jaja Laklak",
                Category.SNACKS,
                15_000,
                "porsi",
                "Sepuluh laklak hijau dari tepung beras dan daun suji, disajikan dengan kelapa parut dan "
                "gula aren.",
                "Ten green rice-flour pancakes coloured with suji leaves, served with grated coconut and "
                "palm sugar.",
                [(_laklak, (246, 240, 226), "laklak-1")],
                min_order=2,
                pirt="2065105010123-23",
            ),
            DemoProduct(
                "Gipang Beras Ketan",
                Category.SNACKS,
                20_000,
                "bungkus",
                "Gipang renyah dari beras ketan dan gula, 250 gram per bungkus. Tahan dua minggu.",
                "Crisp sticky-rice and sugar bars, 250 grams a pack. Keeps for two weeks.",
                [(_gipang, (240, 230, 210), "gipang-1")],
                pirt="2065105010123-23",
            ),
        ],
        mentored=True,
    ),
    DemoProfile(
        "Keripik Ceker Pasekan",
        "Dari Dusun Pasekan, Desa Dawan Kaler: keripik ceker ayam yang digoreng renyah dengan bumbu "
        "racikan kelompok sendiri, dikemas rapat dan siap dikirim.",
        "From Dusun Pasekan in Dawan Kaler village: chicken-feet chips fried crisp in the group's own "
        "seasoning, sealed and ready to send.",
        "+6285237201803",
        [
            DemoProduct(
                "Keripik Ceker Original",
                Category.SNACKS,
                15_000,
                "bungkus 100 g",
                "Keripik ceker ayam rasa gurih bawang, tanpa pengawet. Kemasan 100 gram dengan klip.",
                "Savoury garlic chicken-feet chips without preservatives, in a 100-gram zip pack.",
                [(_chips, (250, 240, 215), "ceker-1")],
                min_order=3,
                pirt="2065105020456-24",
                halal="ID51110000123450824",
                featured=True,
            ),
            DemoProduct(
                "Keripik Ceker Pedas Daun Jeruk",
                Category.SNACKS,
                17_000,
                "bungkus 100 g",
                "Keripik ceker ayam pedas dengan daun jeruk, untuk yang suka rasa kuat.",
                "Spicy chicken-feet chips with lime leaves, for those who like it strong.",
                [(_chips_spicy, (252, 232, 220), "ceker-2")],
                min_order=3,
                pirt="2065105020456-24",
                halal="ID51110000123450824",
            ),
        ],
    ),
    DemoProfile(
        "Ngilur Bhuwana Sente",
        "Kelompok Ngilur Bhuwana di Dusun Sente, Desa Pikat, memintal tali dan membuat sapu dari ijuk pohon "
        "aren yang tumbuh di lereng sekitar desa. Tali ijuk kuat, tahan air dan dipakai untuk atap, "
        "bangunan suci dan pertanian.",
        "The Ngilur Bhuwana group of Dusun Sente in Pikat village spins rope and makes brooms from the fibre "
        "of the sugar palms on the nearby slopes. Palm-fibre rope is strong and water-resistant, used for "
        "roofs, shrines and farming.",
        "+6285237201804",
        [
            DemoProduct(
                "Tali Ijuk 10 Meter",
                Category.HOUSEHOLD,
                50_000,
                "gulung",
                "Tali ijuk pintal tangan, diameter sekitar 1 cm, panjang 10 meter. Tahan air dan tidak "
                "mudah lapuk.",
                "Hand-spun palm-fibre rope, about 1 cm thick and 10 metres long. Water-resistant and slow "
                "to rot.",
                [(_rope, (220, 214, 196), "tali-1"), (_rope, (205, 215, 200), "tali-2")],
                min_order=2,
            ),
            DemoProduct(
                "Sapu Ijuk",
                Category.HOUSEHOLD,
                35_000,
                "buah",
                "Sapu ijuk dengan gagang kayu, untuk halaman dan lantai. Bisa dipesan dalam jumlah besar.",
                "A palm-fibre broom with a wooden handle, for yards and floors. Large orders welcome.",
                [(_broom, (226, 220, 204), "sapu-1")],
            ),
        ],
    ),
]

EXHIBITION = {
    "name": "Pameran Produk Wirausaha Baru Kabupaten Klungkung",
    "starts_on": dt.date(2018, 12, 14),
    "ends_on": dt.date(2018, 12, 16),
    "place": "Kawasan Monumen Puputan Klungkung, Semarapura",
    "description_id": "Empat kelompok wirausaha baru tahun 2018 menampilkan dan menjual produk mereka.",
    "description_en": "The four new-entrepreneur groups of 2018 show and sell their products.",
}


def _clicks(product: Product, seed: str) -> None:
    """Some months of interest, so that the officers' table and the report show something (only once)."""
    if ProductClick.objects.filter(product=product).exists():
        return
    rng = random.Random(seed)
    first = dt.date.today().replace(day=1)
    for _i in range(6):
        for _n in range(rng.randint(2, 14)):
            services.click_record(product=product, when=first)
        first = (first - dt.timedelta(days=1)).replace(day=1)


def load_catalog(program: Program, result: dict) -> None:
    """Records the 2018 programme's catalog work (idempotent)."""
    officer = User.objects.filter(username="operator").first()
    approver = User.objects.filter(username="admin").first() or officer
    chair = User.objects.filter(username="ketua").first()
    mentor = User.objects.filter(username="pendamping").first()
    if officer is None:
        return
    groups = []
    for spec in PROFILES:
        group = (
            Group.objects.filter(program=program, name=spec.group).select_related("program__office").first()
        )
        if group is None:
            continue
        groups.append(group)
        profile = services.profile_for(group)
        if profile.pk is None:
            profile.story_id, profile.story_en = spec.story_id, spec.story_en
            profile.order_phone = spec.order_phone
            profile.consent_publish = True
            profile.representative = chair if spec.chair_account else None
            profile.mentor = mentor if spec.mentored else None
            services.profile_save(profile=profile, expected_version=None, by=officer)
        for item in spec.products:
            _product(group, item, officer=officer, approver=approver)
    exhibition = Exhibition.objects.filter(office=program.office, name=EXHIBITION["name"]).first()
    if exhibition is None and groups:
        services.exhibition_save(
            exhibition=Exhibition(office=program.office, **EXHIBITION),
            groups=groups,
            expected_version=None,
            by=officer,
        )


def _product(group: Group, item: DemoProduct, *, officer, approver) -> None:
    product = Product.objects.filter(group=group, name=item.name).first()
    if product is None:
        product = services.product_save(
            product=Product(
                group=group,
                name=item.name,
                category=item.category,
                price=item.price,
                unit=item.unit,
                min_order=item.min_order,
                description_id=item.description_id,
                description_en=item.description_en,
                nib=item.nib,
                pirt=item.pirt,
                halal=item.halal,
            ),
            publish=True,
            expected_version=None,
            by=officer,
        )
    if not product.photos.exists():
        for draw_fn, base, seed in item.pictures:
            data = picture(draw_fn, base=base, seed=f"{group.name}/{seed}")
            upload = SimpleUploadedFile(f"{seed}.jpg", data, content_type="image/jpeg")
            photo = services.photo_add(product=product, upload=upload, alt_text=item.name, by=officer)
            # The demo does not wait for the worker: the sizes are made here (the worker then skips them).
            photo.refresh_from_db()
            if photo.status != PhotoStatus.READY:
                services.photo_prepare(photo=photo)
    product.refresh_from_db()
    if product.status == ProductStatus.PENDING:
        product = services.product_approve(product=product, expected_version=product.version, by=approver)
    if item.featured and not product.featured:
        services.product_feature(
            product=product, featured=True, expected_version=product.version, by=approver
        )
    _clicks(product, f"{group.name}/{item.name}")
