"""The question bank of "Tes Motivasi dan Kemampuan Dasar", in Indonesian and English.

Three kinds, about twenty questions each:

- maths ("M01"…): everyday arithmetic with rupiah, percentages and time, and reading a
  small table;
- instructions ("I01"…): steps given in a mixed-up order; the choices are orderings such as
  "B, A, D, C";
- reading ("R01"…): a short passage about work, training, small business or public
  services, with one or two questions each.

`passage_*` holds what the question is about: the text to read, the mixed-up steps, or a
table. A passage whose every line holds " | " is a table (its first line is the header);
any other passage is shown line by line. Money is written the Indonesian way in both
languages (Rp12.500), as everywhere on the site.

Every question has four choices and `correct_choice`, the index of the right one. `code`
is stable: `programme.online_test.seed_questions` inserts or updates questions by code, so
a question may be reworded but never renumbered.
"""

from typing import NamedTuple

MATHS = "maths"
INSTRUCTIONS = "instructions"
READING = "reading"


class BankQuestion(NamedTuple):
    """One question with its texts in both languages."""

    code: str
    kind: str  # MATHS, INSTRUCTIONS or READING (QuestionKind values)
    prompt_id: str
    prompt_en: str
    choices_id: tuple[str, str, str, str]
    choices_en: tuple[str, str, str, str]
    correct_choice: int  # index into the choices
    passage_id: str | None = None
    passage_en: str | None = None


# Tables and passages that more than one question reads.

_COFFEE_ID = "Hari | Gelas kopi terjual\nSenin | 40\nSelasa | 35\nRabu | 50\nKamis | 45"
_COFFEE_EN = "Day | Cups of coffee sold\nMonday | 40\nTuesday | 35\nWednesday | 50\nThursday | 45"

_COURSES_ID = (
    "Pelatihan | Harga\n"
    "A. Microsoft Excel untuk Administrasi Kantor | Rp350.000\n"
    "B. Fotografi Produk dengan Ponsel | Rp275.000\n"
    "C. Bahasa Inggris untuk Pelayanan Hotel | Rp499.000\n"
    "D. Dasar Menjahit Pakaian | Rp180.000"
)
_COURSES_EN = (
    "Course | Price\n"
    "A. Microsoft Excel for Office Administration | Rp350.000\n"
    "B. Product Photography with a Phone | Rp275.000\n"
    "C. English for Hotel Service | Rp499.000\n"
    "D. Basic Dressmaking | Rp180.000"
)

_SITI_ID = (
    "Siti, 24 tahun, kehilangan pekerjaannya sebagai kasir ketika toko tempatnya bekerja "
    "tutup. Ia lalu mendaftar program pelatihan kerja dan memilih kursus akuntansi dasar "
    "selama 12 jam. Setelah menyelesaikan kursus dan mendapat sertifikat, ia melamar ke tiga "
    "perusahaan. Dua minggu kemudian ia diterima sebagai staf administrasi keuangan di "
    "sebuah distributor makanan."
)
_SITI_EN = (
    "Siti, aged 24, lost her job as a cashier when the shop she worked in closed down. She "
    "then signed up for a job training programme and chose a 12-hour course in basic "
    "bookkeeping. After finishing the course and receiving a certificate, she applied to "
    "three companies. Two weeks later she was taken on as a finance administration officer "
    "at a food distributor."
)

_LAUNDRY_ID = (
    "Pak Darto membuka usaha laundry kiloan di dekat kampus. Tarifnya Rp7.000 per kilogram, "
    "dan cucian selesai dalam dua hari. Untuk layanan kilat yang selesai dalam satu hari, "
    "pelanggan membayar tambahan Rp3.000 per kilogram. Laundry buka setiap hari kecuali "
    "hari Minggu."
)
_LAUNDRY_EN = (
    "Mr Darto runs a laundry near the university that charges by weight. The price is "
    "Rp7.000 per kilogram, and the washing is ready in two days. For the express service, "
    "ready in one day, customers pay an extra Rp3.000 per kilogram. The laundry is open "
    "every day except Sunday."
)

_PUSKESMAS_ID = (
    "Puskesmas Sukamaju buka Senin sampai Jumat pukul 07.30–14.00 dan Sabtu pukul "
    "07.30–12.00. Pasien baru wajib membawa KTP dan kartu BPJS Kesehatan. Pendaftaran "
    "pasien ditutup 30 menit sebelum puskesmas tutup. Layanan gawat darurat tersedia 24 jam."
)
_PUSKESMAS_EN = (
    "The Sukamaju community health centre (puskesmas) is open Monday to Friday from 07:30 "
    "to 14:00 and on Saturday from 07:30 to 12:00. New patients must bring their ID card "
    "(KTP) and their BPJS Kesehatan health insurance card. Registration closes 30 minutes "
    "before the health centre closes. The emergency service is open 24 hours a day."
)

_WAREHOUSE_ID = (
    "Di gudang PT Maju Jaya, semua pekerja wajib memakai sepatu keselamatan dan rompi "
    "berwarna terang. Helm hanya wajib dipakai di area rak tinggi. Pekerja yang menemukan "
    "barang tumpah harus memasang tanda peringatan dan melapor kepada kepala regu sebelum "
    "membersihkannya."
)
_WAREHOUSE_EN = (
    "In the PT Maju Jaya warehouse, all workers must wear safety shoes and a brightly "
    "coloured vest. A helmet must be worn only in the high-shelving area. A worker who finds "
    "something spilled must put up a warning sign and tell the team leader before cleaning "
    "it up."
)

_BAKERY_ID = (
    "LOWONGAN KERJA. Toko roti Harum Manis di Yogyakarta mencari dua orang pramuniaga. "
    "Syarat: lulusan SMA/SMK, usia 18–30 tahun, ramah, dan bersedia bekerja bergiliran "
    "(pagi atau sore). Gaji Rp2.300.000 per bulan ditambah uang makan. Lamaran diantar "
    "langsung ke toko paling lambat 15 Juli."
)
_BAKERY_EN = (
    "JOB VACANCY. The Harum Manis bakery in Yogyakarta is looking for two shop assistants. "
    "Requirements: finished senior high school or vocational school (SMA/SMK), aged 18 to "
    "30, friendly, and willing to work shifts (morning or afternoon). Pay is Rp2.300.000 a "
    "month plus a meal allowance. Bring your application to the shop by 15 July."
)

_BIRTH_ID = (
    "Mulai bulan ini, warga Kota Harapan dapat mengurus akta kelahiran secara daring melalui "
    "situs Dinas Kependudukan dan Pencatatan Sipil. Warga cukup mengunggah foto surat "
    "keterangan lahir dari bidan atau rumah sakit, kartu keluarga, serta KTP kedua orang tua. "
    "Akta yang sudah jadi dikirim dalam bentuk PDF ke email pemohon dalam lima hari kerja "
    "dan dapat dicetak sendiri. Layanan ini tidak dipungut biaya."
)
_BIRTH_EN = (
    "From this month, residents of Harapan City can apply for a birth certificate online "
    "through the website of the Population and Civil Registration Office. They only need to "
    "upload photos of the birth letter from the midwife or hospital, the family card, and "
    "the ID cards (KTP) of both parents. The finished certificate is sent as a PDF to the "
    "applicant's email within five working days and can be printed at home. The service is "
    "free of charge."
)

_COURSE_RULES_ID = (
    'Pelatihan "Pemasaran Digital untuk UMKM" terdiri atas enam modul video dan satu tes '
    "akhir. Peserta harus menonton setiap modul sampai selesai sebelum modul berikutnya "
    "terbuka. Tes akhir berisi 20 soal pilihan ganda, dan peserta dinyatakan lulus jika "
    "menjawab benar sedikitnya 14 soal. Peserta yang belum lulus boleh mengulang tes satu "
    "kali."
)
_COURSE_RULES_EN = (
    'The course "Digital Marketing for Small Businesses" has six video modules and one '
    "final test. Participants must watch each module to the end before the next one opens. "
    "The final test has 20 multiple-choice questions, and a participant passes by answering "
    "at least 14 of them correctly. A participant who has not passed may take the test once "
    "more."
)

_CATERING_ID = (
    "Bu Lestari ingin memperbesar usaha katering rumahannya. Ia mengajukan Kredit Usaha "
    "Rakyat sebesar Rp20.000.000 ke sebuah bank. Bank meminta Nomor Induk Berusaha (NIB), "
    "KTP, dan catatan penjualan enam bulan terakhir. Karena Bu Lestari selalu mencatat "
    "penjualannya di buku kas, ia dapat melengkapi semua syarat dalam satu hari. Pinjamannya "
    "disetujui seminggu kemudian."
)
_CATERING_EN = (
    "Mrs Lestari wants to grow her home catering business. She applies to a bank for a "
    "People's Business Credit (KUR) loan of Rp20.000.000. The bank asks for her business "
    "identification number (NIB), her ID card (KTP) and her sales records for the last six "
    "months. Because Mrs Lestari always writes her sales down in a cash book, she can bring "
    "everything the bank asks for within a day. Her loan is approved a week later."
)

_LEAVE_ID = (
    "Karyawan PT Sinar Tekstil berhak atas 12 hari cuti tahunan setelah bekerja 12 bulan "
    "berturut-turut. Permohonan cuti diajukan paling lambat tujuh hari sebelum hari pertama "
    "cuti melalui aplikasi kepegawaian dan harus disetujui atasan langsung. Cuti yang tidak "
    "diambil dalam satu tahun tidak dapat dipindahkan ke tahun berikutnya."
)
_LEAVE_EN = (
    "Employees of PT Sinar Tekstil are entitled to 12 days of annual leave after working "
    "for 12 months in a row. Leave must be requested through the staff app at least seven "
    "days before the first day of leave, and it must be approved by the employee's direct "
    "manager. Leave not taken within a year cannot be carried over to the next year."
)

_BUS_ID = (
    "Bus TransKota beroperasi setiap hari pukul 05.00–22.00. Tarif sekali jalan Rp3.500, "
    "sedangkan pelajar yang menunjukkan kartu pelajar membayar Rp2.000. Penumpang membayar "
    "dengan kartu uang elektronik; uang tunai tidak diterima di dalam bus. Kartu dapat dibeli "
    "dan diisi ulang di setiap halte utama."
)
_BUS_EN = (
    "TransKota buses run every day from 05:00 to 22:00. A single journey costs Rp3.500, "
    "and students who show their student card pay Rp2.000. Passengers pay with an "
    "electronic money card; cash is not accepted on the bus. Cards can be bought and topped "
    "up at every main bus stop."
)

_INCENTIVE_ID = (
    "Setelah menyelesaikan pelatihan pertamanya, peserta program menerima insentif "
    "Rp600.000 per bulan selama empat bulan. Insentif dikirim ke rekening bank atau dompet "
    "digital yang terhubung dengan akun peserta. Sebelum insentif pertama dibayarkan, "
    "peserta harus memberi ulasan dan rating untuk pelatihan yang sudah diikutinya."
)
_INCENTIVE_EN = (
    "After finishing their first course, participants in the programme receive an "
    "incentive of Rp600.000 a month for four months. The incentive is sent to the bank "
    "account or e-wallet linked to the participant's account. Before the first incentive is "
    "paid, the participant must give a review and a rating of the course they took."
)

_ORDER_PROMPT_ID = "Langkah-langkah di atas masih teracak. Manakah urutan yang benar untuk {}?"
_ORDER_PROMPT_EN = "The steps above are mixed up. Which is the right order for {}?"


def _lettered(steps: tuple[str, str, str, str]) -> str:
    """The steps as lines "A. …" to "D. …"."""
    return "\n".join(f"{letter}. {step}" for letter, step in zip("ABCD", steps, strict=True))


def _order(code, task_id, task_en, steps_id, steps_en, choices, correct_choice):
    """An instructions question: four steps A–D and four orderings to choose from."""
    return BankQuestion(
        code=code,
        kind=INSTRUCTIONS,
        passage_id=_lettered(steps_id),
        passage_en=_lettered(steps_en),
        prompt_id=_ORDER_PROMPT_ID.format(task_id),
        prompt_en=_ORDER_PROMPT_EN.format(task_en),
        choices_id=choices,
        choices_en=choices,
        correct_choice=correct_choice,
    )


QUESTIONS: tuple[BankQuestion, ...] = (
    # ---- Maths -------------------------------------------------------------------------
    BankQuestion(
        code="M01",
        kind=MATHS,
        prompt_id=(
            "Bu Sari membeli 3 kg beras seharga Rp12.500 per kg dan 2 liter minyak goreng "
            "seharga Rp15.000 per liter. Berapa yang harus ia bayar?"
        ),
        prompt_en=(
            "Mrs Sari buys 3 kg of rice at Rp12.500 per kg and 2 litres of cooking oil at "
            "Rp15.000 per litre. How much does she have to pay?"
        ),
        choices_id=("Rp57.500", "Rp62.500", "Rp67.500", "Rp72.500"),
        choices_en=("Rp57.500", "Rp62.500", "Rp67.500", "Rp72.500"),
        correct_choice=2,
    ),
    BankQuestion(
        code="M02",
        kind=MATHS,
        prompt_id=(
            "Harga sebuah kemeja Rp150.000. Toko memberi potongan harga 20%. Berapa harga "
            "kemeja itu setelah dipotong?"
        ),
        prompt_en=(
            "A shirt costs Rp150.000. The shop gives a 20% discount. What does the shirt cost "
            "after the discount?"
        ),
        choices_id=("Rp120.000", "Rp130.000", "Rp30.000", "Rp100.000"),
        choices_en=("Rp120.000", "Rp130.000", "Rp30.000", "Rp100.000"),
        correct_choice=0,
    ),
    BankQuestion(
        code="M03",
        kind=MATHS,
        prompt_id=(
            "Budi mulai bekerja pukul 08.00 dan pulang pukul 16.30. Ia beristirahat 1 jam "
            "untuk makan siang. Berapa lama Budi bekerja hari itu, tanpa waktu istirahat?"
        ),
        prompt_en=(
            "Budi starts work at 08:00 and goes home at 16:30. He takes a 1-hour lunch break. "
            "How long does Budi work that day, not counting the break?"
        ),
        choices_id=("7 jam", "7 jam 30 menit", "8 jam 30 menit", "9 jam 30 menit"),
        choices_en=("7 hours", "7 hours 30 minutes", "8 hours 30 minutes", "9 hours 30 minutes"),
        correct_choice=1,
    ),
    BankQuestion(
        code="M04",
        kind=MATHS,
        passage_id=_COFFEE_ID,
        passage_en=_COFFEE_EN,
        prompt_id=(
            "Tabel di atas menunjukkan penjualan sebuah warung kopi. Berapa gelas kopi yang "
            "terjual dari Senin sampai Kamis?"
        ),
        prompt_en=(
            "The table above shows the sales of a small coffee stall. How many cups of coffee "
            "were sold from Monday to Thursday?"
        ),
        choices_id=("160", "165", "170", "180"),
        choices_en=("160", "165", "170", "180"),
        correct_choice=2,
    ),
    BankQuestion(
        code="M05",
        kind=MATHS,
        passage_id=_COFFEE_ID,
        passage_en=_COFFEE_EN,
        prompt_id=(
            "Tabel di atas menunjukkan penjualan sebuah warung kopi. Satu gelas kopi dijual "
            "Rp5.000. Berapa pendapatan warung itu dari penjualan kopi pada hari Rabu?"
        ),
        prompt_en=(
            "The table above shows the sales of a small coffee stall. One cup of coffee sells "
            "for Rp5.000. How much money did the stall take from coffee on Wednesday?"
        ),
        choices_id=("Rp250.000", "Rp200.000", "Rp225.000", "Rp500.000"),
        choices_en=("Rp250.000", "Rp200.000", "Rp225.000", "Rp500.000"),
        correct_choice=0,
    ),
    BankQuestion(
        code="M06",
        kind=MATHS,
        passage_id=(
            "Lama parkir sepeda motor | Tarif\nJam pertama | Rp2.000\n"
            "Setiap jam berikutnya | Rp1.000"
        ),
        passage_en=(
            "Motorcycle parking time | Charge\nFirst hour | Rp2.000\nEach further hour | Rp1.000"
        ),
        prompt_id=(
            "Rudi memarkir sepeda motornya selama 4 jam. Menurut tabel tarif di atas, berapa "
            "yang harus ia bayar?"
        ),
        prompt_en=(
            "Rudi parks his motorcycle for 4 hours. According to the price table above, how "
            "much does he have to pay?"
        ),
        choices_id=("Rp4.000", "Rp5.000", "Rp6.000", "Rp8.000"),
        choices_en=("Rp4.000", "Rp5.000", "Rp6.000", "Rp8.000"),
        correct_choice=1,
    ),
    BankQuestion(
        code="M07",
        kind=MATHS,
        prompt_id=(
            "Gaji Rina Rp4.200.000 sebulan. Setiap bulan ia menabung 15% dari gajinya. "
            "Berapa yang ia tabung setiap bulan?"
        ),
        prompt_en=(
            "Rina earns Rp4.200.000 a month. Every month she saves 15% of her pay. How much "
            "does she save each month?"
        ),
        choices_id=("Rp420.000", "Rp600.000", "Rp630.000", "Rp680.000"),
        choices_en=("Rp420.000", "Rp600.000", "Rp630.000", "Rp680.000"),
        correct_choice=2,
    ),
    BankQuestion(
        code="M08",
        kind=MATHS,
        prompt_id=(
            "Seorang penjahit dapat membuat 12 masker kain dalam satu jam. Berapa masker yang "
            "dapat ia buat dalam 6,5 jam?"
        ),
        prompt_en=(
            "A tailor can make 12 cloth masks in one hour. How many masks can she make in "
            "6.5 hours?"
        ),
        choices_id=("72", "84", "66", "78"),
        choices_en=("72", "84", "66", "78"),
        correct_choice=3,
    ),
    BankQuestion(
        code="M09",
        kind=MATHS,
        prompt_id=(
            "Sebuah bus berangkat dari Bandung pukul 07.45. Perjalanan ke Jakarta memakan "
            "waktu 3 jam 20 menit. Pukul berapa bus itu tiba di Jakarta?"
        ),
        prompt_en=(
            "A bus leaves Bandung at 07:45. The journey to Jakarta takes 3 hours 20 minutes. "
            "At what time does the bus arrive in Jakarta?"
        ),
        choices_id=("Pukul 10.25", "Pukul 10.55", "Pukul 11.05", "Pukul 11.15"),
        choices_en=("10:25", "10:55", "11:05", "11:15"),
        correct_choice=2,
    ),
    BankQuestion(
        code="M10",
        kind=MATHS,
        passage_id=_COURSES_ID,
        passage_en=_COURSES_EN,
        prompt_id=(
            "Saldo pelatihan Anda Rp1.000.000. Jika Anda membeli pelatihan A dan C dari tabel "
            "di atas, berapa sisa saldo Anda?"
        ),
        prompt_en=(
            "Your training balance is Rp1.000.000. If you buy courses A and C from the table "
            "above, how much of your balance is left?"
        ),
        choices_id=("Rp149.000", "Rp151.000", "Rp161.000", "Rp251.000"),
        choices_en=("Rp149.000", "Rp151.000", "Rp161.000", "Rp251.000"),
        correct_choice=1,
    ),
    BankQuestion(
        code="M11",
        kind=MATHS,
        passage_id=_COURSES_ID,
        passage_en=_COURSES_EN,
        prompt_id=(
            "Anda hanya mempunyai Rp500.000. Dua pelatihan mana dari tabel di atas yang dapat "
            "Anda beli sekaligus dengan uang itu?"
        ),
        prompt_en=(
            "You have only Rp500.000. Which two courses from the table above can you buy "
            "together with that money?"
        ),
        choices_id=("A dan B", "A dan D", "C dan D", "B dan D"),
        choices_en=("A and B", "A and D", "C and D", "B and D"),
        correct_choice=3,
    ),
    BankQuestion(
        code="M12",
        kind=MATHS,
        prompt_id=(
            "Dari 40 peserta sebuah pelatihan, 30 orang lulus ujian akhir. Berapa persen "
            "peserta yang lulus?"
        ),
        prompt_en=(
            "Of the 40 people on a course, 30 passed the final exam. What percentage of them "
            "passed?"
        ),
        choices_id=("30%", "70%", "75%", "80%"),
        choices_en=("30%", "70%", "75%", "80%"),
        correct_choice=2,
    ),
    BankQuestion(
        code="M13",
        kind=MATHS,
        prompt_id=(
            "Harga gula naik dari Rp14.000 menjadi Rp15.400 per kilogram. Berapa persen "
            "kenaikan harga itu?"
        ),
        prompt_en=(
            "The price of sugar goes up from Rp14.000 to Rp15.400 per kilogram. By what "
            "percentage has the price gone up?"
        ),
        choices_id=("1,4%", "10%", "11%", "14%"),
        choices_en=("1.4%", "10%", "11%", "14%"),
        correct_choice=1,
    ),
    BankQuestion(
        code="M14",
        kind=MATHS,
        prompt_id=(
            "Pak Joko menjual 25 bungkus keripik singkong seharga Rp8.000 per bungkus. Modal "
            "untuk membuat keripik itu Rp130.000. Berapa keuntungannya?"
        ),
        prompt_en=(
            "Mr Joko sells 25 packets of cassava chips at Rp8.000 a packet. Making the chips "
            "cost him Rp130.000. How much profit does he make?"
        ),
        choices_id=("Rp60.000", "Rp80.000", "Rp200.000", "Rp70.000"),
        choices_en=("Rp60.000", "Rp80.000", "Rp200.000", "Rp70.000"),
        correct_choice=3,
    ),
    BankQuestion(
        code="M15",
        kind=MATHS,
        prompt_id=(
            "Sebuah pelatihan daring terdiri atas 8 modul video, dan setiap modul berdurasi "
            "45 menit. Berapa lama seluruh modul itu jika ditonton semuanya?"
        ),
        prompt_en=(
            "An online course has 8 video modules, and each module lasts 45 minutes. How long "
            "do all the modules last altogether?"
        ),
        choices_id=("5 jam", "6 jam", "6 jam 30 menit", "8 jam"),
        choices_en=("5 hours", "6 hours", "6 hours 30 minutes", "8 hours"),
        correct_choice=1,
    ),
    BankQuestion(
        code="M16",
        kind=MATHS,
        passage_id=(
            "Kereta | Berangkat | Tiba\nKereta A | 06.10 | 09.40\nKereta B | 08.25 | 11.35\n"
            "Kereta C | 10.00 | 13.50"
        ),
        passage_en=(
            "Train | Departs | Arrives\nTrain A | 06:10 | 09:40\nTrain B | 08:25 | 11:35\n"
            "Train C | 10:00 | 13:50"
        ),
        prompt_id=(
            "Ketiga kereta pada tabel di atas melayani rute yang sama. Kereta mana yang "
            "perjalanannya paling singkat?"
        ),
        prompt_en=(
            "The three trains in the table above run on the same route. Which train has the "
            "shortest journey?"
        ),
        choices_id=("Kereta A", "Kereta B", "Kereta C", "Ketiganya sama lama"),
        choices_en=("Train A", "Train B", "Train C", "All three take the same time"),
        correct_choice=1,
    ),
    BankQuestion(
        code="M17",
        kind=MATHS,
        prompt_id=(
            "Tarif listrik di rumah Bu Ani Rp1.444 per kWh. Bulan ini rumahnya memakai "
            "150 kWh. Berapa biaya listriknya bulan ini, belum termasuk pajak dan biaya lain?"
        ),
        prompt_en=(
            "Electricity at Mrs Ani's home costs Rp1.444 per kWh. This month her home used "
            "150 kWh. How much is her electricity this month, before tax and other charges?"
        ),
        choices_id=("Rp144.400", "Rp206.600", "Rp216.600", "Rp226.600"),
        choices_en=("Rp144.400", "Rp206.600", "Rp216.600", "Rp226.600"),
        correct_choice=2,
    ),
    BankQuestion(
        code="M18",
        kind=MATHS,
        prompt_id=(
            "Anda berbelanja di minimarket seharga Rp73.500 dan membayar dengan selembar uang "
            "Rp100.000. Berapa uang kembalian yang Anda terima?"
        ),
        prompt_en=(
            "You spend Rp73.500 at a convenience store and pay with a Rp100.000 note. How "
            "much change do you get?"
        ),
        choices_id=("Rp26.500", "Rp23.500", "Rp27.500", "Rp36.500"),
        choices_en=("Rp26.500", "Rp23.500", "Rp27.500", "Rp36.500"),
        correct_choice=0,
    ),
    BankQuestion(
        code="M19",
        kind=MATHS,
        prompt_id=(
            "Pak Hasan membeli sepeda motor secara kredit dengan cicilan Rp750.000 per bulan "
            "selama 2 tahun. Berapa jumlah seluruh cicilan yang ia bayar?"
        ),
        prompt_en=(
            "Mr Hasan buys a motorcycle on credit, paying Rp750.000 a month for 2 years. How "
            "much does he pay in instalments altogether?"
        ),
        choices_id=("Rp9.000.000", "Rp15.000.000", "Rp17.500.000", "Rp18.000.000"),
        choices_en=("Rp9.000.000", "Rp15.000.000", "Rp17.500.000", "Rp18.000.000"),
        correct_choice=3,
    ),
    BankQuestion(
        code="M20",
        kind=MATHS,
        passage_id="Peserta | Hari hadir (dari 5 hari)\nAni | 5\nBudi | 3\nCitra | 4\nDedi | 5",
        passage_en=(
            "Participant | Days attended (out of 5)\nAni | 5\nBudi | 3\nCitra | 4\nDedi | 5"
        ),
        prompt_id=(
            "Sertifikat hanya diberikan kepada peserta yang hadir sedikitnya 80% dari jumlah "
            "hari pelatihan. Menurut tabel di atas, siapa yang tidak mendapat sertifikat?"
        ),
        prompt_en=(
            "A certificate is given only to participants who attended at least 80% of the "
            "training days. According to the table above, who does not get a certificate?"
        ),
        choices_id=("Ani", "Budi", "Citra", "Dedi"),
        choices_en=("Ani", "Budi", "Citra", "Dedi"),
        correct_choice=1,
    ),
    BankQuestion(
        code="M21",
        kind=MATHS,
        prompt_id=(
            "Untuk membuat 40 kue, Bu Rina memakai 2 kg tepung. Berapa kilogram tepung yang ia "
            "perlukan untuk membuat 100 kue?"
        ),
        prompt_en=(
            "Mrs Rina uses 2 kg of flour to make 40 cakes. How many kilograms of flour does "
            "she need to make 100 cakes?"
        ),
        choices_id=("4 kg", "4,5 kg", "5 kg", "6 kg"),
        choices_en=("4 kg", "4.5 kg", "5 kg", "6 kg"),
        correct_choice=2,
    ),
    BankQuestion(
        code="M22",
        kind=MATHS,
        prompt_id=(
            "Sebuah webinar dimulai pukul 13.00 WIB. Waktu Indonesia Tengah (WITA) lebih cepat "
            "satu jam daripada WIB. Pukul berapa webinar itu dimulai menurut WITA?"
        ),
        prompt_en=(
            "A webinar starts at 13:00 WIB (Western Indonesia Time). Central Indonesia Time "
            "(WITA) is one hour ahead of WIB. At what time does the webinar start in WITA?"
        ),
        choices_id=("Pukul 14.00 WITA", "Pukul 12.00 WITA", "Pukul 13.00 WITA", "Pukul 15.00 WITA"),
        choices_en=("14:00 WITA", "12:00 WITA", "13:00 WITA", "15:00 WITA"),
        correct_choice=0,
    ),
    BankQuestion(
        code="M23",
        kind=MATHS,
        prompt_id=(
            "Tarif ojek daring Rp2.500 per kilometer ditambah biaya pemesanan Rp2.000. Berapa "
            "tarif untuk perjalanan sejauh 6 kilometer?"
        ),
        prompt_en=(
            "An online motorcycle taxi charges Rp2.500 per kilometre plus a Rp2.000 booking "
            "fee. How much does a 6-kilometre ride cost?"
        ),
        choices_id=("Rp17.000", "Rp15.000", "Rp19.000", "Rp12.500"),
        choices_en=("Rp17.000", "Rp15.000", "Rp19.000", "Rp12.500"),
        correct_choice=0,
    ),
    # ---- Ordering instructions ---------------------------------------------------------
    _order(
        "I01",
        "mengirim lamaran kerja lewat email",
        "sending a job application by email",
        (
            'Tekan tombol "Kirim".',
            "Masuk ke akun email Anda dengan kata sandi.",
            "Tulis pesan, lalu lampirkan CV dan surat lamaran.",
            "Buka aplikasi email di ponsel atau komputer.",
        ),
        (
            'Press the "Send" button.',
            "Sign in to your email account with your password.",
            "Write the message, then attach your CV and cover letter.",
            "Open the email app on your phone or computer.",
        ),
        ("D, B, C, A", "B, D, C, A", "D, C, B, A", "B, C, D, A"),
        0,
    ),
    _order(
        "I02",
        "mencuci tangan dengan sabun",
        "washing your hands with soap",
        (
            "Gosok telapak tangan, punggung tangan, dan sela-sela jari selama 20 detik, "
            "lalu bilas dengan air mengalir.",
            "Basahi kedua tangan dengan air mengalir.",
            "Keringkan tangan dengan handuk bersih atau tisu.",
            "Tuangkan sabun ke telapak tangan.",
        ),
        (
            "Rub your palms, the backs of your hands and between your fingers for 20 seconds, "
            "then rinse under running water.",
            "Wet both hands under running water.",
            "Dry your hands with a clean towel or a tissue.",
            "Put soap on your palm.",
        ),
        ("A, B, D, C", "B, D, A, C", "B, A, D, C", "B, D, C, A"),
        1,
    ),
    _order(
        "I03",
        "mendaftar program Kartu Prakerja",
        "registering for the Kartu Prakerja programme",
        (
            "Ikuti Tes Motivasi dan Kemampuan Dasar, yang dapat dibuka setelah data diri Anda "
            "lengkap.",
            "Buat akun dengan alamat email, lalu buka tautan verifikasi yang dikirim ke email "
            "Anda.",
            "Masuk ke akun Anda, lalu lengkapi data diri dengan NIK dan nomor KK.",
            "Gabung ke gelombang yang sedang dibuka dengan hasil tes Anda.",
        ),
        (
            "Take the Motivation and Basic Skills Test, which opens once your personal "
            "details are complete.",
            "Create an account with your email address, then open the verification link sent "
            "to your email.",
            "Sign in to your account, then fill in your personal details with your NIK and "
            "family card (KK) number.",
            "Join the batch that is currently open, using your test result.",
        ),
        ("B, A, C, D", "C, B, A, D", "B, C, A, D", "B, C, D, A"),
        2,
    ),
    _order(
        "I04",
        "menanak nasi dengan rice cooker",
        "cooking rice in a rice cooker",
        (
            "Cuci beras sampai air cuciannya jernih.",
            'Tekan tombol "Cook" dan tunggu sampai lampu berpindah ke "Warm".',
            "Masukkan panci ke dalam rice cooker dan tutup rapat.",
            "Tambahkan air bersih ke panci berisi beras yang sudah dicuci.",
        ),
        (
            "Wash the rice until the water runs clear.",
            'Press the "Cook" button and wait until the light moves to "Warm".',
            "Put the pot into the rice cooker and close the lid.",
            "Add clean water to the pot of washed rice.",
        ),
        ("A, C, D, B", "D, A, C, B", "A, D, B, C", "A, D, C, B"),
        3,
    ),
    _order(
        "I05",
        "menarik uang tunai di ATM",
        "taking out cash at an ATM",
        (
            "Masukkan PIN Anda untuk membuka menu utama.",
            "Masukkan kartu ATM ke mesin.",
            'Pilih menu "Tarik Tunai", lalu pilih jumlah uang.',
            "Ambil uang dan kartu ATM Anda.",
        ),
        (
            "Enter your PIN to open the main menu.",
            "Put your ATM card into the machine.",
            'Choose "Cash Withdrawal", then choose the amount.',
            "Take your money and your ATM card.",
        ),
        ("B, A, C, D", "A, B, C, D", "B, C, A, D", "B, A, D, C"),
        0,
    ),
    _order(
        "I06",
        "membuat segelas teh manis",
        "making a glass of sweet tea",
        (
            "Tuang air panas ke gelas yang sudah berisi kantong teh.",
            "Rebus air sampai mendidih.",
            "Angkat kantong teh setelah 3 menit, lalu tambahkan gula.",
            "Aduk sampai gula larut.",
        ),
        (
            "Pour the hot water into a glass with a tea bag in it.",
            "Boil the water.",
            "Take the tea bag out after 3 minutes, then add sugar.",
            "Stir until the sugar dissolves.",
        ),
        ("B, C, A, D", "A, B, D, C", "B, A, D, C", "B, A, C, D"),
        3,
    ),
    _order(
        "I07",
        "mengirim paket di kantor pos",
        "sending a parcel at the post office",
        (
            "Bayar ongkos kirim sesuai berat paket.",
            "Bungkus barang dengan rapi dan tulis alamat penerima di atasnya.",
            "Simpan resi untuk melacak paket.",
            "Serahkan paket kepada petugas loket untuk ditimbang.",
        ),
        (
            "Pay the postage, which depends on the weight of the parcel.",
            "Wrap the item neatly and write the recipient's address on it.",
            "Keep the receipt so that you can track the parcel.",
            "Hand the parcel to the counter clerk to be weighed.",
        ),
        ("B, A, D, C", "B, D, A, C", "D, B, A, C", "B, D, C, A"),
        1,
    ),
    _order(
        "I08",
        "melamar pekerjaan",
        "applying for a job",
        (
            "Datang ke wawancara sesuai jadwal.",
            "Kirim lamaran melalui situs lowongan kerja.",
            "Baca email undangan wawancara dari perusahaan.",
            "Perbarui CV Anda dengan pengalaman kerja terakhir.",
        ),
        (
            "Go to the interview at the time given.",
            "Send your application through a job vacancy website.",
            "Read the company's email inviting you to an interview.",
            "Update your CV with your latest work experience.",
        ),
        ("B, D, C, A", "D, C, B, A", "D, B, A, C", "D, B, C, A"),
        3,
    ),
    _order(
        "I09",
        "memadamkan api kecil dengan alat pemadam api ringan (APAR)",
        "putting out a small fire with a fire extinguisher",
        (
            "Tekan tuas pemadam.",
            "Tarik pin pengaman.",
            "Sapukan semprotan ke kiri dan kanan sampai api padam.",
            "Arahkan ujung selang ke pangkal api.",
        ),
        (
            "Squeeze the handle of the extinguisher.",
            "Pull out the safety pin.",
            "Sweep the spray from side to side until the fire is out.",
            "Aim the end of the hose at the base of the fire.",
        ),
        ("C, D, B, A", "B, D, C, A", "B, D, A, C", "A, B, D, C"),
        2,
    ),
    _order(
        "I10",
        "membuka rekening tabungan di bank",
        "opening a savings account at a bank",
        (
            "Tunggu sampai nomor antrean Anda dipanggil ke meja layanan nasabah.",
            "Ambil nomor antrean di pintu masuk kantor cabang.",
            "Setor uang pertama ke rekening baru Anda.",
            "Isi formulir yang diberikan petugas dan serahkan KTP Anda.",
        ),
        (
            "Wait until your queue number is called to the customer service desk.",
            "Take a queue number at the entrance of the branch.",
            "Pay the first deposit into your new account.",
            "Fill in the form the officer gives you and hand over your ID card (KTP).",
        ),
        ("B, A, D, C", "A, B, D, C", "B, D, A, C", "B, A, C, D"),
        0,
    ),
    _order(
        "I11",
        "menanam bibit cabai di polybag",
        "planting a chilli seedling in a planting bag",
        (
            "Isi polybag dengan campuran tanah dan pupuk kandang.",
            "Siram bibit setiap pagi.",
            "Buat lubang kecil di tengah tanah dalam polybag.",
            "Masukkan bibit cabai ke lubang, lalu tutup dengan tanah.",
        ),
        (
            "Fill the planting bag with a mix of soil and manure.",
            "Water the seedling every morning.",
            "Make a small hole in the middle of the soil in the bag.",
            "Put the chilli seedling in the hole, then cover it with soil.",
        ),
        ("A, D, C, B", "C, A, D, B", "A, C, B, D", "A, C, D, B"),
        3,
    ),
    _order(
        "I12",
        "mengikuti webinar pelatihan",
        "attending a training webinar",
        (
            "Klik tautan webinar 10 menit sebelum acara dimulai.",
            "Isi daftar hadir yang dibagikan selama webinar.",
            "Daftar ke jadwal webinar dan terima tautannya lewat email.",
            "Unduh sertifikat setelah webinar selesai.",
        ),
        (
            "Click the webinar link 10 minutes before it starts.",
            "Fill in the attendance list shared during the webinar.",
            "Sign up for a webinar session and receive its link by email.",
            "Download the certificate after the webinar ends.",
        ),
        ("A, C, B, D", "C, A, B, D", "C, B, A, D", "C, A, D, B"),
        1,
    ),
    _order(
        "I13",
        "mentransfer uang lewat aplikasi bank di ponsel",
        "transferring money with a mobile banking app",
        (
            "Masukkan nomor rekening tujuan dan jumlah uang.",
            "Masuk ke aplikasi bank dengan kata sandi Anda.",
            "Periksa nama penerima, lalu masukkan PIN untuk menyetujui transfer.",
            "Simpan bukti transfer yang muncul di layar.",
        ),
        (
            "Enter the account number you are sending to and the amount.",
            "Sign in to the banking app with your password.",
            "Check the name of the recipient, then enter your PIN to approve the transfer.",
            "Save the transfer receipt shown on the screen.",
        ),
        ("A, B, C, D", "B, C, A, D", "B, A, C, D", "B, A, D, C"),
        2,
    ),
    _order(
        "I14",
        "merawat luka gores kecil",
        "treating a small cut",
        (
            "Tutup luka dengan plester.",
            "Bersihkan luka dengan air mengalir.",
            "Cuci tangan Anda dengan sabun sebelum menyentuh luka.",
            "Oleskan obat antiseptik pada luka yang sudah bersih.",
        ),
        (
            "Cover the cut with a plaster.",
            "Clean the cut under running water.",
            "Wash your hands with soap before touching the cut.",
            "Put antiseptic on the clean cut.",
        ),
        ("B, C, D, A", "C, B, D, A", "C, D, B, A", "C, B, A, D"),
        1,
    ),
    _order(
        "I15",
        "menghitung keuntungan harian sebuah warung",
        "working out a small shop's daily profit",
        (
            "Hitung selisih uang masuk dan uang keluar untuk mengetahui keuntungan hari itu.",
            "Catat setiap penjualan dan pembelian di buku kas sepanjang hari.",
            "Jumlahkan semua uang masuk dan semua uang keluar pada akhir hari.",
            "Sisihkan sebagian keuntungan ke tabungan usaha.",
        ),
        (
            "Work out the difference between money in and money out to find that day's profit.",
            "Write every sale and purchase in the cash book during the day.",
            "Add up all the money in and all the money out at the end of the day.",
            "Put part of the profit into the business savings.",
        ),
        ("C, B, A, D", "B, A, C, D", "B, C, D, A", "B, C, A, D"),
        3,
    ),
    _order(
        "I16",
        "mulai berjualan di toko daring",
        "starting to sell in an online shop",
        (
            "Unggah foto produk dan tulis deskripsinya.",
            "Daftar sebagai penjual dengan nomor ponsel Anda.",
            "Kemas dan kirim pesanan pertama kepada pembeli.",
            "Setelah foto dan deskripsi siap, tentukan harga dan stok, lalu tayangkan produk.",
        ),
        (
            "Upload photos of the product and write its description.",
            "Sign up as a seller with your phone number.",
            "Pack and send the first order to the buyer.",
            "Once the photos and description are ready, set the price and stock, then publish "
            "the product.",
        ),
        ("B, D, A, C", "B, A, D, C", "A, B, D, C", "B, A, C, D"),
        1,
    ),
    _order(
        "I17",
        "memasang kancing baju",
        "sewing on a button",
        (
            "Masukkan ujung benang yang sudah dipotong ke lubang jarum, lalu ikat ujung lainnya.",
            "Potong benang dari gulungannya kira-kira sepanjang 50 cm.",
            "Jahit kancing melalui lubang-lubangnya beberapa kali.",
            "Ikat benang di balik kain, lalu potong sisanya.",
        ),
        (
            "Put the end of the cut thread through the eye of the needle, then knot the other end.",
            "Cut about 50 cm of thread from the reel.",
            "Sew through the holes of the button several times.",
            "Knot the thread on the back of the cloth, then cut off the rest.",
        ),
        ("B, A, C, D", "A, B, C, D", "B, A, D, C", "B, C, A, D"),
        0,
    ),
    _order(
        "I18",
        "mengikuti pelatihan Prakerja yang sudah dibeli",
        "taking a Prakerja course you have bought",
        (
            "Tukarkan kode voucher yang Anda terima setelah membeli di situs platform mitra.",
            "Beli pelatihan di marketplace dengan saldo pelatihan Anda.",
            "Ikuti semua modul, lalu kerjakan tes akhir.",
            "Beri ulasan dan rating untuk pelatihan yang sudah selesai.",
        ),
        (
            "Redeem the voucher code you received after buying on the partner platform's website.",
            "Buy a course in the marketplace with your training balance.",
            "Work through all the modules, then take the final test.",
            "Give a review and a rating of the finished course.",
        ),
        ("A, B, C, D", "B, C, A, D", "B, A, D, C", "B, A, C, D"),
        3,
    ),
    _order(
        "I19",
        "mengikuti wawancara kerja daring",
        "taking part in an online job interview",
        (
            "Uji kamera dan mikrofon sebelum masuk ke ruang wawancara.",
            "Nyalakan laptop dan sambungkan ke internet.",
            "Masuk ke ruang wawancara daring melalui tautan dari bagian HRD.",
            "Sapa pewawancara dan perkenalkan diri Anda.",
        ),
        (
            "Test your camera and microphone before joining the interview room.",
            "Switch on the laptop and connect it to the internet.",
            "Join the online interview room through the link from the HR department.",
            "Greet the interviewer and introduce yourself.",
        ),
        ("B, C, A, D", "A, B, C, D", "B, A, C, D", "B, A, D, C"),
        2,
    ),
    _order(
        "I20",
        "mengganti lampu yang mati",
        "replacing a light bulb that has gone out",
        (
            "Matikan sakelar lampu.",
            "Pasang lampu baru pada fitingnya.",
            "Lepaskan lampu lama setelah tidak panas lagi.",
            "Nyalakan sakelar untuk mencoba lampu baru.",
        ),
        (
            "Switch off the light switch.",
            "Fit the new bulb into the socket.",
            "Take out the old bulb once it is no longer hot.",
            "Switch the light on to try the new bulb.",
        ),
        ("A, B, C, D", "C, A, B, D", "A, C, B, D", "A, C, D, B"),
        2,
    ),
    _order(
        "I21",
        "mengurus Nomor Induk Berusaha (NIB) secara daring",
        "getting a business identification number (NIB) online",
        (
            "Buat akun di situs OSS dengan NIK dan alamat email Anda.",
            "Isi data usaha dan pilih bidang usaha Anda.",
            "Unduh NIB yang sudah terbit.",
            "Periksa kembali data usaha Anda, lalu kirim permohonan.",
        ),
        (
            "Create an account on the OSS website (the government's online business "
            "licensing system) with your NIK and email address.",
            "Fill in your business details and choose your line of business.",
            "Download the NIB once it has been issued.",
            "Check your business details again, then send the application.",
        ),
        ("A, D, B, C", "A, B, D, C", "B, A, D, C", "A, B, C, D"),
        1,
    ),
    # ---- Reading comprehension ---------------------------------------------------------
    BankQuestion(
        code="R01",
        kind=READING,
        passage_id=_SITI_ID,
        passage_en=_SITI_EN,
        prompt_id="Mengapa Siti mendaftar program pelatihan kerja?",
        prompt_en="Why did Siti sign up for the job training programme?",
        choices_id=(
            "Karena ia ingin pindah ke kota lain",
            "Karena ia kehilangan pekerjaan ketika tokonya tutup",
            "Karena perusahaannya mewajibkan pelatihan",
            "Karena ia ingin kembali menjadi kasir",
        ),
        choices_en=(
            "Because she wanted to move to another town",
            "Because she lost her job when the shop closed",
            "Because her company made the training compulsory",
            "Because she wanted to work as a cashier again",
        ),
        correct_choice=1,
    ),
    BankQuestion(
        code="R02",
        kind=READING,
        passage_id=_SITI_ID,
        passage_en=_SITI_EN,
        prompt_id="Pekerjaan apa yang akhirnya didapat Siti?",
        prompt_en="What job did Siti get in the end?",
        choices_id=(
            "Kasir di sebuah toko",
            "Pengajar kursus akuntansi",
            "Staf administrasi keuangan",
            "Sopir di distributor makanan",
        ),
        choices_en=(
            "Cashier in a shop",
            "Bookkeeping course teacher",
            "Finance administration officer",
            "Driver at a food distributor",
        ),
        correct_choice=2,
    ),
    BankQuestion(
        code="R03",
        kind=READING,
        passage_id=_LAUNDRY_ID,
        passage_en=_LAUNDRY_EN,
        prompt_id="Berapa tarif layanan kilat per kilogram?",
        prompt_en="How much does the express service cost per kilogram?",
        choices_id=("Rp3.000", "Rp7.000", "Rp10.000", "Rp21.000"),
        choices_en=("Rp3.000", "Rp7.000", "Rp10.000", "Rp21.000"),
        correct_choice=2,
    ),
    BankQuestion(
        code="R04",
        kind=READING,
        passage_id=_LAUNDRY_ID,
        passage_en=_LAUNDRY_EN,
        prompt_id=(
            "Seorang pelanggan menyerahkan cucian biasa (bukan kilat) pada hari Senin. Kapan "
            "cuciannya selesai?"
        ),
        prompt_en=(
            "A customer brings in ordinary (not express) washing on Monday. When will it be ready?"
        ),
        choices_id=("Hari Rabu", "Hari Selasa", "Hari Kamis", "Hari Minggu"),
        choices_en=("On Wednesday", "On Tuesday", "On Thursday", "On Sunday"),
        correct_choice=0,
    ),
    BankQuestion(
        code="R05",
        kind=READING,
        passage_id=_PUSKESMAS_ID,
        passage_en=_PUSKESMAS_EN,
        prompt_id="Pada hari Sabtu, pukul berapa paling lambat pasien dapat mendaftar?",
        prompt_en="On Saturday, what is the latest time a patient can register?",
        choices_id=("Pukul 12.00", "Pukul 11.30", "Pukul 13.30", "Pukul 14.00"),
        choices_en=("12:00", "11:30", "13:30", "14:00"),
        correct_choice=1,
    ),
    BankQuestion(
        code="R06",
        kind=READING,
        passage_id=_PUSKESMAS_ID,
        passage_en=_PUSKESMAS_EN,
        prompt_id="Apa yang harus dibawa oleh pasien baru?",
        prompt_en="What must a new patient bring?",
        choices_id=(
            "KTP saja",
            "Surat rujukan dari rumah sakit",
            "Kartu keluarga dan pas foto",
            "KTP dan kartu BPJS Kesehatan",
        ),
        choices_en=(
            "Only their ID card (KTP)",
            "A referral letter from a hospital",
            "Their family card and a passport photo",
            "Their ID card (KTP) and BPJS Kesehatan card",
        ),
        correct_choice=3,
    ),
    BankQuestion(
        code="R07",
        kind=READING,
        passage_id=_WAREHOUSE_ID,
        passage_en=_WAREHOUSE_EN,
        prompt_id="Kapan pekerja wajib memakai helm?",
        prompt_en="When must a worker wear a helmet?",
        choices_id=(
            "Sepanjang waktu di dalam gudang",
            "Hanya ketika membersihkan barang yang tumpah",
            "Ketika berada di area rak tinggi",
            "Ketika melapor kepada kepala regu",
        ),
        choices_en=(
            "All the time inside the warehouse",
            "Only when cleaning up something spilled",
            "When in the high-shelving area",
            "When reporting to the team leader",
        ),
        correct_choice=2,
    ),
    BankQuestion(
        code="R08",
        kind=READING,
        passage_id=_WAREHOUSE_ID,
        passage_en=_WAREHOUSE_EN,
        prompt_id="Apa yang harus dilakukan pekerja sebelum membersihkan barang yang tumpah?",
        prompt_en="What must a worker do before cleaning up something spilled?",
        choices_id=(
            "Memasang tanda peringatan dan melapor kepada kepala regu",
            "Memindahkan barang dari rak tinggi",
            "Memanggil petugas pemadam kebakaran",
            "Menunggu sampai giliran kerjanya selesai",
        ),
        choices_en=(
            "Put up a warning sign and tell the team leader",
            "Move the goods off the high shelves",
            "Call the fire brigade",
            "Wait until the end of the shift",
        ),
        correct_choice=0,
    ),
    BankQuestion(
        code="R09",
        kind=READING,
        passage_id=_BAKERY_ID,
        passage_en=_BAKERY_EN,
        prompt_id=(
            "Menurut syarat usia dan pendidikan dalam lowongan itu, pelamar mana yang tidak "
            "memenuhi syarat?"
        ),
        prompt_en=(
            "Going by the age and education requirements in the advert, which applicant does "
            "not qualify?"
        ),
        choices_id=(
            "Andi, 19 tahun, lulusan SMA",
            "Rina, 25 tahun, lulusan SMK",
            "Yoga, 29 tahun, lulusan SMA",
            "Dewi, 32 tahun, lulusan SMK",
        ),
        choices_en=(
            "Andi, 19, finished senior high school (SMA)",
            "Rina, 25, finished vocational school (SMK)",
            "Yoga, 29, finished senior high school (SMA)",
            "Dewi, 32, finished vocational school (SMK)",
        ),
        correct_choice=3,
    ),
    BankQuestion(
        code="R10",
        kind=READING,
        passage_id=_BAKERY_ID,
        passage_en=_BAKERY_EN,
        prompt_id="Selain gaji bulanan, apa yang diterima pramuniaga?",
        prompt_en="Besides the monthly pay, what do the shop assistants receive?",
        choices_id=("Uang transpor", "Uang makan", "Bonus tahunan", "Tempat tinggal"),
        choices_en=("A travel allowance", "A meal allowance", "A yearly bonus", "Housing"),
        correct_choice=1,
    ),
    BankQuestion(
        code="R11",
        kind=READING,
        passage_id=_BIRTH_ID,
        passage_en=_BIRTH_EN,
        prompt_id="Bagaimana warga menerima akta kelahiran yang sudah jadi?",
        prompt_en="How do residents receive the finished birth certificate?",
        choices_id=(
            "Diambil di kantor dinas",
            "Dikirim lewat pos ke rumah",
            "Dikirim dalam bentuk PDF ke email pemohon",
            "Diambil di kantor kelurahan",
        ),
        choices_en=(
            "They collect it at the office",
            "It is posted to their home",
            "It is sent as a PDF to the applicant's email",
            "They collect it at the village office",
        ),
        correct_choice=2,
    ),
    BankQuestion(
        code="R12",
        kind=READING,
        passage_id=_BIRTH_ID,
        passage_en=_BIRTH_EN,
        prompt_id="Berapa biaya mengurus akta kelahiran secara daring?",
        prompt_en="How much does it cost to apply for a birth certificate online?",
        choices_id=("Rp10.000", "Rp50.000", "Tergantung jumlah dokumen", "Gratis"),
        choices_en=("Rp10.000", "Rp50.000", "It depends on the number of documents", "Nothing"),
        correct_choice=3,
    ),
    BankQuestion(
        code="R13",
        kind=READING,
        passage_id=_COURSE_RULES_ID,
        passage_en=_COURSE_RULES_EN,
        prompt_id="Sedikitnya berapa soal yang harus dijawab dengan benar agar peserta lulus?",
        prompt_en="How many questions must a participant answer correctly, at least, to pass?",
        choices_id=("6", "10", "14", "20"),
        choices_en=("6", "10", "14", "20"),
        correct_choice=2,
    ),
    BankQuestion(
        code="R14",
        kind=READING,
        passage_id=_COURSE_RULES_ID,
        passage_en=_COURSE_RULES_EN,
        prompt_id="Apa yang terjadi jika peserta belum lulus pada tes akhir yang pertama?",
        prompt_en="What happens if a participant does not pass the final test the first time?",
        choices_id=(
            "Ia harus membeli pelatihan itu lagi",
            "Ia boleh mengulang tes satu kali",
            "Ia tidak dapat mengulang tes",
            "Ia harus menonton semua modul dari awal",
        ),
        choices_en=(
            "They have to buy the course again",
            "They may take the test once more",
            "They cannot take the test again",
            "They have to watch all the modules again from the start",
        ),
        correct_choice=1,
    ),
    BankQuestion(
        code="R15",
        kind=READING,
        passage_id=_CATERING_ID,
        passage_en=_CATERING_EN,
        prompt_id="Mengapa Bu Lestari dapat melengkapi syarat pinjaman dengan cepat?",
        prompt_en="Why could Mrs Lestari bring everything the bank asked for so quickly?",
        choices_id=(
            "Karena ia mengenal pegawai bank",
            "Karena bank tidak meminta dokumen apa pun",
            "Karena pinjamannya sangat kecil",
            "Karena ia selalu mencatat penjualannya di buku kas",
        ),
        choices_en=(
            "Because she knew someone at the bank",
            "Because the bank did not ask for any documents",
            "Because her loan was very small",
            "Because she always wrote her sales down in a cash book",
        ),
        correct_choice=3,
    ),
    BankQuestion(
        code="R16",
        kind=READING,
        passage_id=_CATERING_ID,
        passage_en=_CATERING_EN,
        prompt_id="Untuk apa Bu Lestari meminjam uang?",
        prompt_en="What is Mrs Lestari borrowing the money for?",
        choices_id=(
            "Untuk memperbesar usaha kateringnya",
            "Untuk membeli rumah",
            "Untuk membayar utang",
            "Untuk membuka toko pakaian",
        ),
        choices_en=(
            "To grow her catering business",
            "To buy a house",
            "To pay off a debt",
            "To open a clothes shop",
        ),
        correct_choice=0,
    ),
    BankQuestion(
        code="R17",
        kind=READING,
        passage_id=_LEAVE_ID,
        passage_en=_LEAVE_EN,
        prompt_id=(
            "Hari ini tanggal 3. Seorang karyawan yang sudah bekerja dua tahun baru sekarang "
            "mengajukan cuti mulai tanggal 8 bulan yang sama. Apakah permohonannya memenuhi "
            "aturan?"
        ),
        prompt_en=(
            "Today is the 3rd. An employee who has worked there for two years only now "
            "requests leave starting on the 8th of the same month. Does the request follow "
            "the rules?"
        ),
        choices_id=(
            "Ya, karena cutinya masih di bulan yang sama",
            "Ya, asalkan cutinya kurang dari 12 hari",
            "Tidak, karena permohonan harus diajukan paling lambat tujuh hari sebelumnya",
            "Tidak, karena cuti hanya boleh diambil pada akhir tahun",
        ),
        choices_en=(
            "Yes, because the leave is in the same month",
            "Yes, as long as the leave is shorter than 12 days",
            "No, because leave must be requested at least seven days before",
            "No, because leave may only be taken at the end of the year",
        ),
        correct_choice=2,
    ),
    BankQuestion(
        code="R18",
        kind=READING,
        passage_id=_LEAVE_ID,
        passage_en=_LEAVE_EN,
        prompt_id="Apa yang terjadi dengan cuti yang tidak diambil dalam satu tahun?",
        prompt_en="What happens to leave that is not taken within a year?",
        choices_id=(
            "Ditambahkan ke cuti tahun berikutnya",
            "Hangus dan tidak dapat dipindahkan ke tahun berikutnya",
            "Diganti dengan uang",
            "Dapat diberikan kepada karyawan lain",
        ),
        choices_en=(
            "It is added to the next year's leave",
            "It is lost and cannot be carried over to the next year",
            "It is paid out in money",
            "It can be given to another employee",
        ),
        correct_choice=1,
    ),
    BankQuestion(
        code="R19",
        kind=READING,
        passage_id=_BUS_ID,
        passage_en=_BUS_EN,
        prompt_id=(
            "Seorang pelajar naik bus TransKota ke sekolah dan pulang lagi dengan bus, dan "
            "setiap kali menunjukkan kartu pelajarnya. Berapa ongkosnya dalam sehari?"
        ),
        prompt_en=(
            "A student takes a TransKota bus to school and another one home, showing a "
            "student card each time. How much does this cost in a day?"
        ),
        choices_id=("Rp2.000", "Rp3.500", "Rp4.000", "Rp7.000"),
        choices_en=("Rp2.000", "Rp3.500", "Rp4.000", "Rp7.000"),
        correct_choice=2,
    ),
    BankQuestion(
        code="R20",
        kind=READING,
        passage_id=_BUS_ID,
        passage_en=_BUS_EN,
        prompt_id="Bagaimana penumpang membayar ongkos di dalam bus?",
        prompt_en="How do passengers pay their fare on the bus?",
        choices_id=(
            "Dengan uang tunai kepada sopir",
            "Dengan kartu uang elektronik",
            "Dengan transfer bank",
            "Dengan membeli tiket kertas dari kondektur",
        ),
        choices_en=(
            "In cash to the driver",
            "With an electronic money card",
            "By bank transfer",
            "By buying a paper ticket from the conductor",
        ),
        correct_choice=1,
    ),
    BankQuestion(
        code="R21",
        kind=READING,
        passage_id=_INCENTIVE_ID,
        passage_en=_INCENTIVE_EN,
        prompt_id="Berapa jumlah seluruh insentif yang diterima seorang peserta?",
        prompt_en="How much does a participant receive in incentives altogether?",
        choices_id=("Rp600.000", "Rp1.800.000", "Rp4.000.000", "Rp2.400.000"),
        choices_en=("Rp600.000", "Rp1.800.000", "Rp4.000.000", "Rp2.400.000"),
        correct_choice=3,
    ),
    BankQuestion(
        code="R22",
        kind=READING,
        passage_id=_INCENTIVE_ID,
        passage_en=_INCENTIVE_EN,
        prompt_id="Apa yang harus dilakukan peserta sebelum insentif pertamanya dibayarkan?",
        prompt_en="What must a participant do before their first incentive is paid?",
        choices_id=(
            "Membeli pelatihan kedua",
            "Mengikuti tes ulang",
            "Datang ke kantor program",
            "Memberi ulasan dan rating untuk pelatihannya",
        ),
        choices_en=(
            "Buy a second course",
            "Take the test again",
            "Go to the programme office",
            "Give a review and a rating of their course",
        ),
        correct_choice=3,
    ),
)
