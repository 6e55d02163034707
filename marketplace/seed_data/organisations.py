"""Organisations for demo data: the digital platform partners and training-provider names."""

# The 8 digital platform partners of the real programme: (slug, name, commission in basis points).
PLATFORMS: tuple[tuple[str, str, int], ...] = (
    ("tokopedia", "Tokopedia", 1500),
    ("bukalapak", "Bukalapak", 1500),
    ("skill-academy", "Skill Academy by Ruangguru", 2000),
    ("pintaria", "Pintaria", 1750),
    ("sekolahmu", "Sekolahmu", 1750),
    ("pijar-mahir", "Pijar Mahir", 1250),
    ("maubelajarapa", "MauBelajarApa", 1500),
    ("sisnaker", "SISNAKER (Kemnaker)", 0),
)

# How many providers each platform carries, relatively.
PLATFORM_WEIGHTS: dict[str, int] = {
    "tokopedia": 22,
    "bukalapak": 16,
    "skill-academy": 20,
    "pintaria": 10,
    "sekolahmu": 10,
    "pijar-mahir": 9,
    "maubelajarapa": 8,
    "sisnaker": 5,
}

# The provider the demo account lembaga@example.com belongs to: (name, province code, city,
# platform slug, category slugs it teaches). It is always the first provider created.
DEMO_PROVIDER = (
    "LPK Cahaya Mandiri",
    "32",
    "Bandung",
    "skill-academy",
    (
        "teknologi-informasi",
        "administrasi-perkantoran",
        "penjualan-dan-pemasaran",
        "kewirausahaan",
    ),
)

# Words Indonesian training institutes are named with.
NAME_WORDS: tuple[str, ...] = (
    "Cahaya",
    "Bina",
    "Karya",
    "Mitra",
    "Cipta",
    "Prima",
    "Mandiri",
    "Sejahtera",
    "Terampil",
    "Cerdas",
    "Gemilang",
    "Harapan",
    "Insan",
    "Mulia",
    "Nusa",
    "Bangsa",
    "Persada",
    "Jaya",
    "Sentosa",
    "Bakti",
    "Tunas",
    "Permata",
    "Mutiara",
    "Bintang",
    "Surya",
    "Abadi",
    "Utama",
    "Unggul",
    "Kreasi",
    "Wahana",
    "Daya",
    "Citra",
    "Pelita",
    "Lentera",
    "Kencana",
    "Semesta",
    "Andalan",
    "Cakrawala",
    "Pertiwi",
    "Madani",
    "Amanah",
    "Berkah",
    "Sinergi",
    "Kriya",
    "Mahir",
    "Cakap",
    "Tangguh",
    "Muda",
)

COMPANY_FIRST: tuple[str, ...] = (
    "Edukasi",
    "Solusi",
    "Inovasi",
    "Cipta",
    "Sarana",
    "Talenta",
    "Akselerasi",
    "Wawasan",
    "Kompetensi",
)

COMPANY_LAST: tuple[str, ...] = (
    "Digital",
    "Indonesia",
    "Kreatif",
    "Teknologi",
    "Mandiri",
    "Nusantara",
    "Global",
    "Terpadu",
)

# The field words in provider names, with the categories such a provider teaches.
FIELDS: dict[str, tuple[str, ...]] = {
    "Kreatif": ("desain", "fotografi-dan-videografi", "gaya-hidup"),
    "Digital": ("teknologi-informasi", "penjualan-dan-pemasaran", "desain"),
    "Bisnis": ("kewirausahaan", "keuangan", "penjualan-dan-pemasaran"),
    "Kuliner": ("kuliner", "kewirausahaan"),
    "Bahasa": ("bahasa-asing", "pariwisata"),
    "Teknik": ("manufaktur", "konstruksi", "otomotif"),
    "Pariwisata": ("pariwisata", "bahasa-asing", "kuliner"),
    "Kecantikan": ("kecantikan", "kesehatan-dan-kebugaran"),
    "Wirausaha": ("kewirausahaan", "keuangan", "penjualan-dan-pemasaran"),
    "Komputer": ("teknologi-informasi", "administrasi-perkantoran", "desain"),
    "Otomotif": ("otomotif", "manufaktur"),
    "Tata Boga": ("kuliner",),
    "Perkantoran": ("administrasi-perkantoran", "keuangan", "teknologi-informasi"),
    "Agribisnis": ("pertanian", "perikanan-dan-peternakan"),
    "Busana": ("menjahit-dan-fesyen", "kecantikan"),
    "Kesehatan": ("kesehatan-dan-kebugaran", "pendidikan-dan-pengasuhan"),
    "Logistik": ("logistik-dan-transportasi", "administrasi-perkantoran"),
    "Pendidikan": ("pendidikan-dan-pengasuhan", "bahasa-asing"),
}

# Name patterns: {a} and {b} are two different NAME_WORDS, {first}/{last} company words,
# {field} one of FIELDS and {city} the provider's home city. A provider named after a field
# teaches that field's categories; others teach a few categories of any kind.
NAME_PATTERNS: tuple[str, ...] = (
    "LPK {a} {b}",
    "LPK {a} {b}",
    "Lembaga Kursus {a} {b}",
    "LKP {a} {b}",
    "PT {first} {a} {last}",
    "PT {first} {a} {last}",
    "Akademi {field} {city}",
    "Pusat Pelatihan {field} {a} {b}",
    "Rumah Belajar {a} {b}",
    "Sekolah {field} {a} {b}",
    "{a} {b} Academy",
    "Kursus {field} {a} {city}",
    "Yayasan Pendidikan {a} {b}",
    "Balai Kursus {a} {city}",
)
