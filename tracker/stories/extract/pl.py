"""Polish rules: trigger verbs and role nouns (inflected), and Polish cue lists.

Names carry case endings ("zwolnił Sama Altmana", "dołącza do Microsoftu"), the
lexicon allows them; verbs are matched by stem where the endings vary with
gender and tense. "Nie jest już prezesem" asserts a departure; "miałby wrócić"
(conditional) and "według mediów" do not assert anything.
"""

from __future__ import annotations

import re

from tracker.stories.extract.cues import CueSet, cues
from tracker.stories.extract.frames import Frame, Language

ORGX = (
    r"(?:(?:ten|ta|tej|tego|jej|jego)\s+)?(?:firm\w*|spółk\w*|zarząd\w*|rad\w+\s+nadzorcz\w+|"
    r"rad\w+\s+dyrektorów|startup\w*|twórc\w+\s+(?-i:[A-Z])[\w-]*)"
)
ROLE = (
    r"(?:CEO|prezes\w*|szef\w*|dyrektor\w*\s+generaln\w*|dyrektor\w*\s+wykonawcz\w*|"
    r"stanowisk\w*\s+(?:CEO|prezesa|szefa|dyrektora)|fotel\w*\s+(?:CEO|prezesa|szefa))"
    r"(?!\s+(?!{ORGX})(?-i:[A-Z])[\w-]*(?:u|a)?\b(?!\s+(?:został|zostanie|będzie)))"
)
_APPOS = r"(?:\s*,[^,]{1,80},)?"
_ADJ = r"(?:(?:now\w+|tymczasow\w+|p\.\s?o\.|pełniąc\w+\s+obowiązki)\s+)*"
_FIRED = r"zwolnion\w*|odwołan\w*|usunięt\w*|wyrzucon\w*|zdymisjonowan\w*|pozbawion\w+\s+stanowiska"
_FIRE = (
    r"zwolnił\w*|zwalnia|zwolni|odwołał\w*|odwołuje|usunął|usunęł\w*|usuwa|wyrzucił\w*|wyrzuca|"
    r"zdymisjonował\w*|pozbawił\w*\s+stanowiska"
)
_QUIT = r"odchodzi|odszedł|odeszł\w*|rezygnuje|zrezygnował\w*|opuszcza|opuścił\w*|składa\s+rezygnację"
_BACK = r"wraca|wróci|wrócił\w*|powraca|powróci|powrócił\w*|przywrócon\w*|ponownie\s+zatrudnion\w*"
_JOIN = (
    r"dołącza|dołączają|dołączy|dołączą|dołączył\w*|przechodzi|przechodzą|przejdzie|przejdą|przeszedł|"
    r"przeszli|przeszł\w*|trafia|trafiają|trafi|trafią|trafił\w*|idzie|idą|pójdzie|pójdą|poszedł|poszli|"
    r"zatrudni\w*\s+się|przenosi\s+się|przeniósł\s+się|przeniosą\s+się"
)
_HIRE = (
    r"zatrudnia|zatrudnił\w*|zatrudni|przejmuje|przejął|przejmie|podkupuje|podkupił\w*|ściąga|ściągnął|"
    r"werbuje|zwerbował\w*|bierze|wziął|przygarnia|przygarnął"
)

FRAMES = (
    Frame("pl.leave.is-fired", "leave",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _FIRED + r")(?!\s+przez\s+(?!{ORGX}|{ORG}))"),
    Frame("pl.leave.fires", "leave", r"{ORGX}\s+{GAP}(?P<v>" + _FIRE + r")\s+{FILL}{P}"),
    Frame("pl.leave.quits", "leave",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _QUIT + r")"
          r"(?=\s*$|[,.;:!?]|\s+-|\s+(?:z\s+|ze\s+|{ORGX}|{ORG}|też|również|w\s+proteście)\b)"),
    Frame("pl.leave.kicked-out", "leave",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>wylatuje|wyleciał\w*|traci\s+pracę|stracił\w*\s+pracę)"
          r"(?=\s*$|[,.;:!?]|\s+-|\s+(?:z\s+|ze\s+|w\s+)?(?:{ORGX}|{ORG}))"),
    Frame("pl.leave-ceo.loses-post", "leave_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>traci|stracił\w*)\s+(?:stanowisko|funkcję|fotel)\s+{ROLE}"),
    Frame("pl.leave-ceo.no-longer", "leave_ceo",
          r"{P}\s+(?P<v>nie\s+jest\s+już|już\s+nie\s+jest|przestał\w*\s+być)\s+" + _ADJ + r"{ROLE}",
          ignore=("negated",)),
    Frame("pl.ceo.is-named", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>mianowan\w*|powołan\w*|wybran\w*|nominowan\w*|ogłoszon\w*)\s+"
          r"(?:na\s+)?" + _ADJ + r"{ROLE}"),
    Frame("pl.ceo.becomes", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>zostaje|został|została|zostanie|jest\s+now\w+|będzie|obejmuje|"
          r"objął|objęła|obejmie|przejmuje|przejął|przejęła|przejmie)\s+" + _ADJ +
          r"(?:{ROLE}|stanowisk\w*\s+{ROLE}|funkcj\w+\s+{ROLE}|stery\s+{ORG}|kierownictwo\s+{ORG})"),
    Frame("pl.ceo.acting", "appoint_ceo", r"{P}\s*,?\s+(?P<v>p\.\s?o\.)\s+{ROLE}"),
    Frame("pl.ceo.at-the-head", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+(?:stanie\s+|staje\s+|stanął\s+|stanęła\s+)?(?P<v>na\s+czele)\s+(?:{ORG}|{ORGX})"),
    Frame("pl.ceo.verbless", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+(?P<v>now\w+|tymczasow\w+)\s+(?:{ROLE})"),
    Frame("pl.ceo.new-is", "appoint_ceo",
          r"(?P<v>now\w+|tymczasow\w+)\s+{ROLE}\s+(?:{ORG}\s+)?(?:to|został\w*|zostaje|jest|będzie)\s+{FILL}{P}"),
    Frame("pl.ceo.role-held-by", "appoint_ceo",
          r"(?:rolę|funkcję|obowiązki|stanowisko)\s+(?:{ROLE}\s+)?(?:\w+\s+){0,3}?(?P<v>pełnić|pełni|"
          r"obejmie|obejmuje|przejmie|przejmuje|objął|objęła|przejął|przejęła)\s+{FILL}{P}"),
    Frame("pl.ceo.holds-role", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>pełni|będzie\s+pełnić|będzie\s+pełnił\w*|pełnił\w*)\s+"
          r"(?:tymczasowo\s+)?(?:rolę|funkcję|obowiązki)\s+" + _ADJ + r"{ROLE}"),
    Frame("pl.ceo.replaced-by", "appoint_ceo", r"(?P<v>zastąpion\w*)\s+(?:został\w*\s+)?przez\s+{FILL}{P}"),
    Frame("pl.ceo.replaces-him", "appoint_ceo", r"(?P<v>zastąpi|zastępuje|zastąpił\w*)\s+(?:go|ją)\s+{FILL}{P}"),
    Frame("pl.ceo.replaces", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>zastąpi|zastępuje|zastąpił\w*)\s+(?:[\w'.-]+\s+){0,3}?{ANYP}"),
    Frame("pl.return-ceo.is-back", "return_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _BACK + r")\s+(?:do\s+{ORG}\s+|do\s+{ORGX}\s+)?"
          r"(?:jako\s+" + _ADJ + r"{ROLE}|na\s+stanowisko\s+{ROLE}|na\s+stanowisko|na\s+{ROLE})"),
    Frame("pl.return-ceo.again", "return_ceo",
          r"{P}\s+(?P<v>znów|znowu|ponownie|z\s+powrotem)\s+(?:został\w*\s+|jest\s+|będzie\s+)?(?:na\s+)?{ROLE}"),
    Frame("pl.return-ceo.back-at-head", "return_ceo",
          r"{P}\s+{GAP}(?P<v>znów|znowu|ponownie|z\s+powrotem|" + _BACK + r")\s+na\s+czele\s+(?:{ORG}|{ORGX})"),
    Frame("pl.return-ceo.nominal", "return_ceo",
          r"(?P<v>powrot\w*|powrót)\s+(?:na\s+stanowisko\s+[^.;]{0,60}?)?{P}(?:\s+do\s+(?:{ORG}|{ORGX}))?"
          r"(?:\s+(?:jako\s+" + _ADJ + r"{ROLE}))", base="planned"),
    Frame("pl.return-ceo.nominal-post", "return_ceo",
          r"(?P<v>powrot\w*|powrót)\s+na\s+stanowisko\s+[^.;]{0,60}?{P}", base="planned"),
    Frame("pl.return.is-back", "return",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _BACK + r")\s+(?:do|na)\s+(?:{ORG}|{ORGX})"),
    Frame("pl.return.brings-back", "return",
          r"{ORGX}\s+{GAP}(?P<v>przywraca|przywrócił\w*|przywróci|ponownie\s+zatrudni\w*)\s+{FILL}{P}"),
    Frame("pl.return.nominal", "return",
          r"(?P<v>powrot\w*|powrót)\s+{FILL}{P}", base="planned"),
    Frame("pl.partner.joins", "join_partner",
          r"{PL}" + _APPOS + r"\s+{GAP}(?P<v>" + _JOIN + r")\s+(?:do|w)\s+{PARTNER}"),
    Frame("pl.partner.hired-by", "join_partner",
          r"{PL}" + _APPOS + r"\s+{GAP}(?P<v>zatrudnion\w*|zwerbowan\w*|przejęt\w*)\s+(?:przez|w)\s+{PARTNER}"),
    Frame("pl.partner.at", "join_partner", r"^{PL}\s+(?P<v>w|we)\s+{PARTNER}\s*[.!:]?\s*$"),
    Frame("pl.partner.hires", "join_partner", r"{PARTNER}\s+{GAP}(?P<v>" + _HIRE + r")\s+{FILL}{PL}"),
    Frame("pl.board.new", "board_new",
          r"(?P<v>now\w+\s+(?:zarząd\w*|rad\w+\s+(?:nadzorcz\w+|dyrektorów)|rad\w+)|zarząd\w*\s+w\s+nowym\s+"
          r"składzie|now\w+\s+skład\w*|now\w+\s+członk\w+)"),
    Frame("pl.board.chaired-by", "board_chair",
          r"(?:zarząd|rad)\w*[^.;]{0,80}?(?P<v>pod\s+przewodnictwem|któremu\s+przewodniczy\w*|której\s+"
          r"przewodniczy\w*|na\s+czele\s+z|na\s+czele\s+którego\s+stan\w+)\s+{FILL}{P}"),
    Frame("pl.board.chair-is", "board_chair",
          r"{P}\s*(?P<v>\(przewodnicząc\w*\)|,?\s+(?:jako|został\w*|zostanie|będzie)\s+przewodnicząc\w*)"),
    Frame("pl.board.chair-noun", "board_chair",
          r"(?P<v>przewodnicząc\w+)\s+(?:nowego\s+)?(?:zarządu|rady)\s+(?:\w+\s+)?(?:został\w*\s+|zostanie\s+|"
          r"będzie\s+|jest\s+)?{FILL}{P}"),
    Frame("pl.board.chair-verbless", "board_chair",
          r"{P}\s+(?P<v>przewodnicząc\w+|szefem|szefową)\s+(?:nowego\s+)?(?:zarządu|rady)"),
    Frame("pl.board.in", "board_join", r"^{PL}\s+(?P<v>w|we)\s+(?:nowym\s+)?(?:zarządzie|radzie)"),
    Frame("pl.board.joins", "board_join",
          r"{P}\s+{GAP}(?P<v>dołącza|dołączy|dołączył\w*|wchodzi|wejdzie|wszedł|weszła|zasiądzie|zasiada)\s+"
          r"(?:do|w)\s+(?:skład\s+)?(?:zarząd|rad)\w*"),
    Frame("pl.board.leaves", "board_leave",
          r"{PL}\s+{GAP}(?P<v>odchodzi|odchodzą|odszedł|odeszł\w*|opuszcza|opuszczają|opuścił\w*|rezygnuje|"
          r"zrezygnował\w*)\s+(?:z\s+)?(?:zarząd|rad|skład)\w*"),
    Frame("pl.partner.observer", "partner_observer",
          r"{PARTNER}\s+{GAP}(?P<v>otrzymuje|otrzyma|otrzymał|dostaje|dostanie|dostał|zyskuje|zyska|zyskał|"
          r"uzyska|uzyskał|obejmie|będzie\s+mieć|będzie\s+miał|ma|mają|zajmie|zajmuje)\s+(?:[^\s.;]+\s+){0,8}?(?:obserwator\w*|"
          r"bez\s+prawa\s+głosu)"),
    Frame("pl.partner.with-observer", "partner_observer",
          r"^{PARTNER}\s+(?P<v>z)\s+(?:[\w'-]+\s+){0,3}?obserwator\w*"),
    Frame("pl.partner.observer-for", "partner_observer",
          r"(?P<v>obserwator\w*|bez\s+prawa\s+głosu)\s+(?:[\w'-]+\s+){0,5}?(?:dla\s+)?{PARTNER}"),
)

_TERMINATORS = re.compile(
    r"[,;:!?()\[\]\"“”„«»—–|]|\s-\s|\.\s|(?<!\w)(?:ale|lecz|jednak|natomiast|podczas\s+gdy|gdy|kiedy|"
    r"który|która|które|którego|której|ponieważ|bo|po|przed|jeśli|jeżeli|gdyby|chyba)(?!\w)",
    re.I,
)

CUES = CueSet(
    tuple(
        cues("negated", "clause", [
            r"nie", r"nigdy", r"żad\w+", r"zaprzecz\w*", r"dement\w*", r"zdementował\w*", r"odrzuc\w*",
            r"odrzuci\w*", r"odmówi\w*", r"odmawia\w*", r"bez", r"wyklucz\w*", r"fiask\w*", r"zerwan\w*",
            r"zerwał\w*", r"upadł\w*",
        ])
        + cues("conditional", "clause", [
            r"jeśli", r"jeżeli", r"gdyby", r"o\s+ile", r"pod\s+warunkiem", r"w\s+przypadku", r"chyba\s+że",
            r"\w+(?:łby|łaby|łoby|liby|łyby)", r"by",
        ])
        + cues("speculative", "clause", [
            r"podobno", r"rzekomo", r"ponoć", r"prawdopodobnie", r"możliw\w*", r"być\s+może", r"może",
            r"mogą", r"mógł\w*", r"miał\w*by", r"mają\s+być", r"ma\s+być",
            r"według\s+(?:mediów|doniesień|źródeł|informacji|nieoficjalnych|\w+\s+źródeł)",
            r"jak\s+(?:donoszą|podają|informuj\w+|ustalił\w*)", r"donosz\w*", r"nieoficjalnie",
            r"spekul\w*", r"rozmow\w*", r"rozmawia\w*", r"negocjac\w*", r"negocjuj\w*", r"pertraktac\w*",
            r"rozważa\w*", r"chce", r"chcą", r"chciał\w*", r"próbuj\w*", r"stara\w*\s+się", r"naciska\w*",
            r"żąda\w*", r"domaga\w*", r"groz\w*", r"zabiega\w*", r"dąży\w*", r"plotk\w*", r"apel\w*",
            r"got\w+\s+(?:do|na)", r"gotów", r"skłonn\w*", r"otwart\w*\s+na",
        ])
        + cues("planned", "clause", [
            r"będzie", r"będą", r"zostanie", r"zostaną", r"mają?\s+\w+(?:ć|c)", r"planuje\w*", r"planowan\w*",
            r"wkrótce", r"niebawem", r"wróci", r"powróci", r"dołączy", r"dołączą", r"obejmie", r"przejdzie",
            r"przejdą", r"wejdzie", r"wejdą", r"zastąpi", r"zasiądzie", r"pokieruje", r"stanie", r"przejmie",
            r"dostanie", r"otrzyma", r"zyska", r"uzyska", r"zatrudni", r"odejdzie",
        ])
        + cues("historical", "clause", [
            r"po", r"wcześniej", r"niedawno", r"przed", r"od\s+czasu", r"kiedyś", r"dawniej",
            r"(?:19|20)\d\d", r"przypomin\w*", r"kalendarium", r"chronologi\w*", r"temu",
        ])
        + cues("opinion", "clause", [r"felieton\w*", r"komentarz\w*", r"opini\w*", r"powin\w+", r"trzeba",
                                     r"należy"])
        + cues("question", "sentence", [r"\?"], bounded=False)
        + cues("question", "sentence", [r"^czy"])
        + cues("speculative", "sentence", [r"[-–—]\s*(?:donoszą|podają|piszą)\s+media", r"donoszą\s+media",
                                           r"podają\s+media", r"według\s+mediów"])
        + cues("historical", "sentence", [
            r"zwolni\w*\s+(?:i|a\s+potem|a\s+następnie)\s+(?:ponownie\s+)?(?:zatrudni|przywróc)\w*",
        ])
        + cues("historical", "article", [r"^(?:kalendarium|chronologia|jak\s+doszło|dlaczego|kim\s+jest)\b",
                                         r"\bkalendarium\b", r"\bpodsumowanie\b", r"\bprzypominamy\b"])
        + cues("opinion", "article", [r"^(?:felieton|komentarz|opinia)\b"])
        + cues("unnamed", "sourced", [
            r"według\s+(?:mediów|doniesień|źródeł|nieoficjalnych)", r"nieoficjalnie", r"donosz\w*", r"podobno", r"rzekomo", r"ponoć", r"źródł\w+\s+(?:zbliżon|bliski)\w*", r"\w+(?:łby|łaby|łoby|liby|łyby)",
        ])
        + cues("announce", "article", [
            r"ze\s+skutkiem\s+natychmiastowym", r"z\s+natychmiastowym\s+skutkiem",
            r"ogłosił\w*", r"ogłasza", r"oświadczeni\w*", r"komunikat\w*", r"poinformował\w*", r"informuje",
            r"podał\w*", r"potwierdził\w*", r"potwierdza", r"porozumieni\w*", r"porozumiał\w*",
            r"zgodził\w*\s+się", r"oficjalnie", r"uzgodnion\w*",
        ])
    ),
    _TERMINATORS,
)

# A weekday named in a claim's clause dates it: two or more days before publication, it is a recap.
WEEKDAYS = tuple(re.compile(rf"(?<!\w){w}(?!\w)", re.I) for w in (r"poniedział\w*", r"wtor\w*", r"środ\w*", r"czwart\w*", r"piąt\w*", r"sobot\w*", r"niedziel\w*"))

LANGUAGE = Language(
    code="pl",
    frames=FRAMES,
    cues=CUES,
    orgx=ORGX,
    role=ROLE,
    interim=re.compile(r"tymczasow\w*|p\.\s?o\.|pełniąc\w*\s+obowiązki", re.I),
    weekdays=WEEKDAYS,
    chair=re.compile(r"przewodnicz", re.I),
)
