"""The demo's learning content: a self-paced module's lesson and quiz, and a course's pre-test
and post-test questions, composed in Indonesian from the category vocabulary (vocabulary.py).

`Composer(random)` draws every choice from `random` (a `random.Random`'s `random` method), so
the same draws give the same text. For one course, described by a `CourseText`:

- `module(course, position)` is a module's lesson and its 2-3 quiz questions. The lesson is in
  the plain form `learning.lessons.blocks` reads ("## " a heading, "- " a list item, a blank
  line between paragraphs): what the module is about, the good working habits of the field it
  recommends, the mistakes it warns against, and what comes next (the quiz, the module's
  minimum learning time, the post-test). Its quiz asks about what that lesson says.
- `test_questions(course)` is the course's bank for the pre-test and the post-test: about
  8 questions on its field, its outcomes, its modules and how it is completed.

Every question has 4 different answers, one of them right, at a position drawn like the rest,
and keeps the rules of `catalogue.question_bank.check`. A wrong answer is never also right:
wrong answers are the field's MISTAKES against its PRACTICES (and back), WRONG_REASONS, or
jobs, outcomes and module titles of a category of another field (`vocabulary.FIELD_GROUPS`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from marketplace.seed_data import vocabulary as vocab

CHOICES = 4
TEST_QUESTIONS = 8  # a course's pre-test and post-test bank
PASS_MARK = 60  # the courses' default pass mark (catalogue.models.Course.pass_mark)
# Jobs found in almost any field: never a wrong answer to "which job belongs to this field".
JOBS_IN_EVERY_FIELD = frozenset(
    {"Customer Service", "Kasir", "Content Creator", "Staf Administrasi", "Admin Keuangan"}
)


class BankQuestion(NamedTuple):
    prompt: str
    choices: tuple[str, ...]
    correct_choice: int


@dataclass(frozen=True)
class CourseText:
    """What one course is written from: its category's words, the placeholders its texts were
    composed with (vocabulary's docstring: topic, context, job, reason, ...), its learning
    outcomes and module titles as written, and how it is taught."""

    words: vocab.CategoryVocabulary
    text: dict
    outcomes: Sequence[str]
    modules: Sequence[str]  # titles, in order
    self_paced: bool
    needs_demonstration: bool = False


# --- the lesson's parts -----------------------------------------------------------------------
# Placeholders as in vocabulary.py, and {module}: the module's title.

OPENING_HEADINGS = ("Selamat datang", "Gambaran pelatihan", "Sebelum mulai")
MIDDLE_HEADINGS = ("Gambaran modul", "Tentang modul ini", "Mengapa bagian ini penting")
CLOSING_HEADINGS = ("Menutup pelatihan", "Rangkuman", "Setelah pelatihan")

OPENING_PARAGRAPHS = (
    "Selamat datang di pelatihan {topic}. {reason} Modul pertama ini mengenalkan hal-hal dasar "
    "yang akan terus Anda pakai sampai akhir pelatihan, dengan contoh dari {context}.",
    'Modul "{module}" membuka pelatihan ini. Di sini Anda mengenal apa itu {topic}, untuk apa '
    "keterampilan ini dipakai, dan bagaimana seorang {job} menggunakannya dalam pekerjaan "
    "sehari-hari.",
    "Sebelum masuk ke praktik, modul ini memberi gambaran utuh tentang {topic}. {reason} "
    "Bacalah dengan santai: setiap istilah baru dijelaskan dengan bahasa sederhana.",
)
MIDDLE_PARAGRAPHS = (
    'Modul "{module}" membahas salah satu bagian terpenting dari {topic}. Bagian ini sering '
    "menentukan apakah hasil kerja rapi dan dapat diandalkan, atau harus diulang dari awal.",
    "Seorang {job} hampir setiap hari berhadapan dengan hal yang dibahas dalam modul "
    '"{module}". Karena itu modul ini disusun sepraktis mungkin: sedikit teori, banyak '
    "contoh.",
    'Modul ini melanjutkan modul sebelumnya. Fokusnya adalah "{module}", dengan contoh yang '
    "diambil dari {context}.",
)
CLOSING_PARAGRAPHS = (
    'Modul "{module}" adalah modul terakhir pelatihan ini. Di sini Anda menyatukan semua yang '
    "sudah dipelajari dan memeriksa kesiapan Anda untuk bekerja sebagai {job} atau menerapkan "
    "{topic} di {context}.",
    "Anda sudah sampai di modul terakhir. Modul ini mengajak Anda menengok kembali seluruh "
    "materi {topic} dan menyusun langkah nyata setelah pelatihan selesai.",
    'Ini modul penutup. Gunakan modul "{module}" untuk merangkum apa yang sudah Anda kuasai '
    "dan bagian mana yang masih perlu dilatih lagi.",
)
EXAMPLE_PARAGRAPHS = (
    "Contoh dalam modul ini diambil dari {context}. Perhatikan bagaimana setiap langkah "
    "dikerjakan berurutan, lalu coba terapkan pada pekerjaan Anda sendiri.",
    "Bayangkan Anda baru mulai bekerja sebagai {job}. Atasan meminta hasil yang rapi dan tepat "
    "waktu. Langkah-langkah di bawah ini membantu Anda memenuhinya tanpa harus menebak-nebak.",
    "Banyak peserta merasa bagian ini sulit pada awalnya, dan itu wajar. Kuncinya adalah "
    "berlatih sedikit demi sedikit dan memeriksa hasil setiap langkah sebelum lanjut ke "
    "langkah berikutnya.",
)
OUTCOMES_HEADING = "Capaian pelatihan ini"
OUTCOMES_LEAD = "Di akhir pelatihan, Anda diharapkan mampu:"
PRACTICE_HEADINGS = ("Langkah yang dianjurkan", "Kebiasaan kerja yang baik", "Kiat praktis")
PRACTICE_LEADS = (
    "Biasakan langkah-langkah berikut:",
    "Seorang {job} yang baik selalu melakukan hal berikut:",
    "Terapkan kebiasaan berikut dalam pekerjaan Anda:",
)
MISTAKE_HEADINGS = ("Yang perlu dihindari", "Kekeliruan yang sering terjadi")
MISTAKE_LEADS = (
    "Hindari kebiasaan berikut, karena sering membuat pekerjaan harus diulang:",
    "Pemula sering melakukan kekeliruan berikut. Hindari sejak awal:",
)
NEXT_MODULE = (
    "Setelah membaca materi ini, kerjakan kuis singkat modul ini. Modul berikutnya terbuka "
    "setelah kuisnya lulus dan waktu belajar minimum modul ini terpenuhi.",
    "Lanjutkan dengan kuis modul ini. Modul berikutnya terbuka setelah kuis lulus dan waktu "
    "belajar minimum modul ini terpenuhi, jadi tidak perlu terburu-buru.",
)
LAST_MODULE = (
    "Setelah kuis modul ini lulus dan waktu belajar minimumnya terpenuhi, post-test terbuka. "
    "Kerjakan dengan tenang: nilai kelulusannya {pass_mark} dari 100."
)
DEMONSTRATION_NOTE = (
    "Pelatihan ini juga meminta unjuk keterampilan: kirimkan hasil praktik Anda agar dinilai "
    "oleh lembaga pelatihan."
)

# --- the questions' fixed texts -------------------------------------------------------------

PRE_TEST_PURPOSE = (
    "Apa tujuan pre-test yang dikerjakan sebelum mulai belajar?",
    "Mengukur kemampuan awal sebelum mulai belajar",
    (
        "Menentukan kelulusan pelatihan",
        "Menggantikan post-test di akhir pelatihan",
        "Membuka semua modul sekaligus",
    ),
)
PASS_MARK_QUESTION = (
    "Berapa nilai minimum (dari 100) agar lulus post-test pelatihan ini?",
    "{pass_mark}",
    ("40", "80", "100"),
)
COMPLETING = "Apa syarat menyelesaikan pelatihan ini?"
COMPLETED_BY = {
    True: "Menyelesaikan semua modul beserta kuisnya, lalu lulus post-test",
    False: "Hadir pada hari-hari yang diwajibkan, lalu lulus post-test",
}
WITH_DEMONSTRATION = ", serta unjuk keterampilan dinyatakan lulus oleh lembaga pelatihan"
NOT_COMPLETED_BY = (
    "Cukup membayar pelatihan dengan saldo Kartu Prakerja",
    "Cukup mengerjakan pre-test tanpa perlu post-test",
    "Memasukkan kode voucher, lalu menunggu sertifikat dikirim",
)
AFTER_MODULES = (
    "Apa yang Anda kerjakan setelah semua modul selesai?",
    "Mengerjakan post-test",
    (
        "Mengulang pre-test dari awal",
        "Memasukkan kode voucher sekali lagi",
        "Menunggu lembaga pelatihan membuka modul pertama lagi",
    ),
)


class Composer:
    """Writes lessons and questions, every choice drawn from `random` (floats in [0, 1))."""

    def __init__(self, random: Callable[[], float]) -> None:
        self.random = random
        by_slug = {words.slug: words for words in vocab.CATEGORIES}
        self.practices = {slug: vocab.PRACTICES[slug] + vocab.GENERIC_PRACTICES for slug in by_slug}
        self.mistakes = {slug: vocab.MISTAKES[slug] + vocab.GENERIC_MISTAKES for slug in by_slug}
        # Wrong answers borrowed from the categories of other fields, by category.
        self.far_jobs: dict[str, list[str]] = {}
        self.far_outcomes: dict[str, list[str]] = {}
        self.far_modules: dict[str, list[str]] = {}
        self.far_names: dict[str, list[str]] = {}
        for slug, words in by_slug.items():
            group = vocab.FIELD_GROUPS[slug]
            far = [
                other
                for other in vocab.CATEGORIES
                if other.slug not in vocab.BROAD_CATEGORIES
                and vocab.FIELD_GROUPS[other.slug] != group
            ]
            own_words = {
                word.casefold() for job in words.jobs for word in job.split() if len(word) > 3
            }
            self.far_jobs[slug] = sorted(
                {
                    job
                    for other in far
                    for job in other.jobs
                    if job not in JOBS_IN_EVERY_FIELD
                    and not own_words & {word.casefold() for word in job.split()}
                }
            )
            self.far_outcomes[slug] = [
                line.format_map(_example(other)) for other in far for line in other.outcomes
            ]
            # Only the titles that name their own topic, context or job: a general one
            # ("Mengatasi Masalah yang Sering Muncul") could be any course's.
            self.far_modules[slug] = [
                title.format_map(_example(other))
                for other in far
                for title in other.modules
                if "{" in title
            ]
            self.far_names[slug] = [other.name for other in far]

    # --- drawing ---------------------------------------------------------------------------

    def pick(self, seq: Sequence):
        return seq[int(self.random() * len(seq))]

    def sample(self, seq: Sequence[str], k: int, avoid: Sequence[str] = ()) -> list[str]:
        """k different elements of seq in drawn order, none equal (case aside) to one in
        `avoid`. Drawn by index, without copying seq: most pools are far larger than k, and
        this runs for every question of every course (lists beat sets at these sizes)."""
        taken = [item.casefold() for item in avoid]
        found: list[str] = []
        size = len(seq)
        draw = self.random
        for _attempt in range(20 * k):
            item = seq[int(draw() * size)]
            key = item.casefold()
            if key not in taken:
                taken.append(key)
                found.append(item)
                if len(found) == k:
                    return found
        for item in seq:  # a small pool, unlucky draws: the rest in order
            if len(found) == k:
                break
            if item.casefold() not in taken:
                taken.append(item.casefold())
                found.append(item)
        if len(found) < k:
            raise ValueError(f"fewer than {k} different answers to choose from")
        return found

    def question(self, prompt: str, right: str, wrong: Sequence[str]) -> BankQuestion:
        """The question with the right answer among 3 of `wrong`, at a drawn position."""
        choices = self.sample(wrong, CHOICES - 1, avoid=(right,))
        correct = int(self.random() * CHOICES)
        choices.insert(correct, right)
        return BankQuestion(prompt, tuple(choices), correct)

    # --- a module ---------------------------------------------------------------------------

    def module(self, course: CourseText, position: int) -> tuple[str, list[BankQuestion]]:
        """The lesson of the course's module at `position` (1, 2, ...) and its quiz."""
        slug = course.words.slug
        count = len(course.modules)
        title = course.modules[position - 1]
        values = {**course.text, "module": title, "pass_mark": PASS_MARK}
        first, last = position == 1, position == count
        if first:
            heading, opening = OPENING_HEADINGS, OPENING_PARAGRAPHS
        elif last:
            heading, opening = CLOSING_HEADINGS, CLOSING_PARAGRAPHS
        else:
            heading, opening = MIDDLE_HEADINGS, MIDDLE_PARAGRAPHS
        practices = self.sample(self.practices[slug], 3 + int(self.random() * 2))
        mistakes = self.sample(self.mistakes[slug], 1 + int(self.random() * 2))
        parts = [
            "## " + self.pick(heading),
            self.pick(opening).format_map(values),
            self.pick(EXAMPLE_PARAGRAPHS).format_map(values),
        ]
        if first and course.outcomes:
            parts += [
                "## " + OUTCOMES_HEADING,
                OUTCOMES_LEAD + "\n" + "\n".join(f"- {line}" for line in course.outcomes),
            ]
        parts += [
            "## " + self.pick(PRACTICE_HEADINGS),
            self.pick(PRACTICE_LEADS).format_map(values)
            + "\n"
            + "\n".join(f"- {line}" for line in practices),
            "## " + self.pick(MISTAKE_HEADINGS),
            self.pick(MISTAKE_LEADS) + "\n" + "\n".join(f"- {line}" for line in mistakes),
        ]
        if last:
            closing = LAST_MODULE.format_map(values)
            if course.needs_demonstration:
                closing += " " + DEMONSTRATION_NOTE
        else:
            closing = self.pick(NEXT_MODULE)
        parts.append(closing)
        lesson = "\n\n".join(parts)

        asks = [
            (
                "Menurut materi modul ini, manakah langkah yang dianjurkan?",
                self.pick(practices),
                self.mistakes[slug],
            ),
            (
                "Menurut materi modul ini, manakah yang sebaiknya dihindari?",
                self.pick(mistakes),
                self.practices[slug],
            ),
            ("Apa yang dibahas dalam modul ini?", title, self.far_modules[slug]),
        ]
        if last:
            asks.append(AFTER_MODULES)
        elif first:
            asks.append(PRE_TEST_PURPOSE)
        quiz = [self.question(*ask) for ask in self.some(asks, 2 + int(self.random() * 2))]
        return lesson, quiz

    def some(self, items: list, k: int) -> list:
        """k of the items, drawn, in their own order."""
        drawn = sorted(range(len(items)), key=lambda _index: self.random())[:k]
        return [items[index] for index in sorted(drawn)]

    # --- the pre-test and post-test ---------------------------------------------------------

    def test_questions(self, course: CourseText) -> list[BankQuestion]:
        """The course's pre-test and post-test bank: TEST_QUESTIONS questions."""
        words, text = course.words, course.text
        slug = words.slug
        category = text["category"]
        asks = [
            (
                f"Manakah pekerjaan yang termasuk bidang {category}?",
                self.pick(words.jobs),
                self.far_jobs[slug],
            ),
            (
                f"Manakah kebiasaan kerja yang dianjurkan dalam bidang {category}?",
                self.pick(vocab.PRACTICES[slug]),
                self.mistakes[slug],
            ),
            (
                f"Manakah kebiasaan yang sebaiknya dihindari dalam bidang {category}?",
                self.pick(vocab.MISTAKES[slug]),
                self.practices[slug],
            ),
            (
                f"Mengapa keterampilan di bidang {category} dibutuhkan?",
                text["reason"],
                vocab.WRONG_REASONS,
            ),
            (
                COMPLETING,
                COMPLETED_BY[course.self_paced]
                + (WITH_DEMONSTRATION if course.needs_demonstration else ""),
                NOT_COMPLETED_BY,
            ),
        ]
        if course.outcomes:
            asks.append(
                (
                    "Manakah yang termasuk capaian pembelajaran pelatihan ini?",
                    self.pick(course.outcomes),
                    self.far_outcomes[slug],
                )
            )
        prompt, right, wrong = PASS_MARK_QUESTION
        optional = [
            ("Pelatihan ini termasuk kategori apa di katalog?", words.name, self.far_names[slug]),
            (
                "Modul apa yang dipelajari pertama kali dalam pelatihan ini?",
                course.modules[0],
                list(course.modules[1:]) + self.far_modules[slug],
            ),
            PRE_TEST_PURPOSE,
            (prompt, right.format(pass_mark=PASS_MARK), wrong),
            (
                "Modul apa yang menutup pelatihan ini?",
                course.modules[-1],
                list(course.modules[:-1]) + self.far_modules[slug],
            ),
        ]
        asks += self.some(optional, TEST_QUESTIONS - len(asks))
        return [self.question(*ask) for ask in asks]


def _example(words: vocab.CategoryVocabulary) -> dict:
    """Placeholders for a category's own phrases borrowed as wrong answers elsewhere."""
    context = words.contexts[0]
    return {
        "topic": words.topics[0],
        "context": context,
        "Context": vocab.title_case(context),
        "job": words.jobs[0],
        "category": words.name.lower(),
    }
