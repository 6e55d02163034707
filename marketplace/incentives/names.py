"""Whether the name a bank or e-wallet holds for an account is the participant's name on
their KTP (`Participant.full_name`).

Payouts go only to an account in the participant's own name, and the two names are written
by different hands: the bank's in capitals, perhaps with a title or an abbreviation, the
KTP's as the civil registry wrote it. They are compared after setting aside what does not
tell two people apart:

- capitals, spacing, punctuation and accents ("BUDI  SANTOSO" = "Budi Santoso");
- titles before the name (Bapak, Ibu, H., Hj., Dr., Ir., Prof., …) and degrees after it
  (S.Kom., S.E., M.M., A.Md., …, also after a comma);
- the usual abbreviations: Muh./Moh./Mhd./M. for Muhammad (and its spellings Mohammad,
  Muhamad, Mochammad, …), Abd. for Abdul, St. for Siti;
- the spacing of compound names: "Nurhayati" = "Nur Hayati", "Abdul Rahman" =
  "Abdulrahman" = "Abdurrahman" (the Arabic article written as it is said).

Nothing else is forgiven: another word, a missing word, an initial for a name, the words in
another order or another spelling of a name are a different name, because they may be
another person. A participant whose bank spells their name otherwise asks the bank to
correct it (or uses another account in their own name).
"""

import re
import unicodedata
from dataclasses import dataclass

# Titles written before a name, compared with dots removed and in lower case.
HONORIFICS = frozenset(
    {
        "bapak", "bpk", "bp", "ibu", "sdr", "sdri", "saudara", "saudari",
        "tn", "tuan", "ny", "nyonya", "nn", "nona", "mr", "mrs", "ms", "miss",
        "h", "hj", "haji", "hajjah", "hajah", "kh", "kyai", "ust", "ustadz", "ustaz",
        "ustadzah", "ustazah", "dr", "drs", "dra", "ir", "prof",
    }
)  # fmt: skip
# Degrees written after a name (or after a comma), compared with dots removed, lower case.
DEGREES = frozenset(
    {
        "se", "sh", "st", "ssi", "ssos", "sip", "sag", "spd", "spdi", "skom", "sikom",
        "sked", "skep", "sfarm", "sgz", "sp", "spt", "stp", "shi", "sthi", "sak", "sds",
        "ssn", "sks", "ak", "amd", "amdkep", "amdkeb", "ners", "ns", "mm", "mpd", "msi",
        "mkom", "mh", "mt", "mag", "mkes", "mba", "msc", "bsc", "phd", "spog", "spa",
    }
)  # fmt: skip
# One spelling for the abbreviations and spellings of a name part that mean the same name.
ABBREVIATIONS = {
    "m": "muhammad",
    "muh": "muhammad",
    "moh": "muhammad",
    "mhd": "muhammad",
    "mohd": "muhammad",
    "muhd": "muhammad",
    "moch": "muhammad",
    "mochd": "muhammad",
    "much": "muhammad",
    "muhamad": "muhammad",
    "muhammad": "muhammad",
    "mohammad": "muhammad",
    "mohamad": "muhammad",
    "mohammed": "muhammad",
    "muhammed": "muhammad",
    "mochammad": "muhammad",
    "mochamad": "muhammad",
    "mokhammad": "muhammad",
    "mokhamad": "muhammad",
    "muchammad": "muhammad",
    "muchamad": "muhammad",
    "abd": "abdul",
    "st": "siti",
}
# "Abdul" before a name starting with one of these letters is said (and often written)
# "Abdur-r…", "Abdus-s…": Abdurrahman = Abdul Rahman.
ASSIMILATING = "dnrstz"

_APOSTROPHES = re.compile(r"['’‘`ʼ]")
_SEPARATORS = re.compile(r"[\W_]+")
_ASSIMILATED = re.compile(rf"abdu([{ASSIMILATING}])\1")


@dataclass(frozen=True)
class NameCheck:
    """The comparison's outcome: `matches`, and in a few words why (for the audit log)."""

    matches: bool
    reason: str

    def __bool__(self) -> bool:
        return self.matches


def _plain(text: str) -> str:
    """Lower case without accents: NFKD, combining marks dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _compact(word: str) -> str:
    """A word as titles and degrees are looked up: letters and digits only."""
    return _SEPARATORS.sub("", _APOSTROPHES.sub("", word))


def name_parts(name: str) -> list[str]:
    """The parts of a name that tell people apart, each in one spelling."""
    text = _plain(name)
    before, comma, after = text.partition(",")
    if comma and all(_compact(word) in DEGREES for word in after.split() if _compact(word)):
        text = before  # "Budi Santoso, S.Kom., M.M."
    else:
        text = text.replace(",", " ")
    words = [word for word in text.split() if _compact(word)]
    while len(words) > 1 and _compact(words[0]) in HONORIFICS:
        words.pop(0)
    while len(words) > 1 and _compact(words[-1]) in DEGREES:
        words.pop()
    parts = [
        part
        for word in words
        for part in _SEPARATORS.split(_APOSTROPHES.sub("", word))  # "Muh.Rizki": 2 parts
        if part
    ]
    while len(parts) > 1 and parts[0] in HONORIFICS:  # "Hj.Siti"
        parts.pop(0)
    return [ABBREVIATIONS.get(part, part) for part in parts]


def comparable(name: str) -> tuple[str, frozenset[int]]:
    """The name as two names are compared: its parts joined without spaces (the Arabic
    article written one way), and where the spaces between them were."""
    parts = name_parts(name)
    joined = _ASSIMILATED.sub(r"abdul\1", "".join(parts))  # the same length: "ur"+"r" → "ul"+"r"
    spaces, at = set(), 0
    for part in parts[:-1]:
        at += len(part)
        spaces.add(at)
    return joined, frozenset(spaces)


def same_person(holder_name: str, ktp_name: str) -> NameCheck:
    """Whether an account holder's name (as the bank or e-wallet holds it) is the KTP name.

    After titles, degrees and abbreviations are set aside, the letters must be the same and
    one name's spaces must all be in the other ("Nur Hayati" is "Nurhayati"; "Budian A" is
    not "Budi Ana").
    """
    if not (holder_name or "").strip() or not (ktp_name or "").strip():
        return NameCheck(False, "a name is missing")
    if holder_name.strip() == ktp_name.strip():
        return NameCheck(True, "the same name")
    if " ".join(_plain(holder_name).split()) == " ".join(_plain(ktp_name).split()):
        return NameCheck(True, "the same name in other capitals or spacing")
    (holder, holder_spaces), (ktp, ktp_spaces) = comparable(holder_name), comparable(ktp_name)
    if not holder or not ktp:
        return NameCheck(False, "a name is missing")
    if holder == ktp and (holder_spaces <= ktp_spaces or ktp_spaces <= holder_spaces):
        return NameCheck(True, "the same name once titles, abbreviations and spacing are set aside")
    return NameCheck(False, "the names differ")
