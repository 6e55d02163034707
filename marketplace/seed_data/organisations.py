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
# platform slug). It is always the first provider created.
DEMO_PROVIDER = ("LPK Cahaya Mandiri", "32", "Bandung", "skill-academy")

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

FIELDS: tuple[str, ...] = (
    "Kreatif",
    "Digital",
    "Bisnis",
    "Kuliner",
    "Bahasa",
    "Teknik",
    "Pariwisata",
    "Kecantikan",
    "Wirausaha",
    "Komputer",
    "Otomotif",
    "Tata Boga",
    "Perkantoran",
)

# Name patterns: {a} and {b} are two different NAME_WORDS, {first}/{last} company words,
# {field} one of FIELDS and {city} the provider's home city.
NAME_PATTERNS: tuple[str, ...] = (
    "LPK {a} {b}",
    "LPK {a} {b}",
    "Lembaga Kursus {a} {b}",
    "LKP {a} {b}",
    "PT {first} {a} {last}",
    "PT {first} {a} {last}",
    "Akademi {field} {city}",
    "Pusat Pelatihan {field} {a}",
    "Rumah Belajar {a} {b}",
    "Sekolah {field} {a}",
    "{a} {b} Academy",
    "Kursus {field} {a} {city}",
    "Yayasan Pendidikan {a} {b}",
    "Balai Kursus {a} {city}",
)
