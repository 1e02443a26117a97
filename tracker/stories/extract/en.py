"""English rules: trigger verbs and role nouns, and English cue lists."""

from __future__ import annotations

import re

from tracker.stories.extract.cues import CueSet, cues
from tracker.stories.extract.frames import Frame, Language

ORGX = (
    r"(?:(?:the|its|his|her|their)\s+)?(?:(?-i:[A-Z][\w.-]*)[\s-]+(?:maker|creator|developer)|"
    r"(?:(?:AI|A\.I\.|tech|artificial\s+intelligence)[\s-]+)?"
    r"(?:company|firm|start-?up|lab|board|nonprofit|directors))"
    r"(?:'s)?(?:\s+board)?(?:\s+of\s+directors)?"
)
ROLE = (
    r"(?:chief\s+executive(?:\s+officer)?|CEO|C\.E\.O\.?|C\.EO\.?|boss|head(?!\s+of\s+(?!{ORGX}))|"
    r"chief(?!\s+(?:technology|operating|financial|scientist|scientific|product|marketing|people|research|"
    r"information|legal|strategy|commercial|revenue|data|security|of\s+staff)\b)|leader|top\s+job|helm)"
    r"(?!\s+(?:of|at)\s+(?!{ORGX})(?-i:[A-Z]))"
)
_APPOS = r"(?:\s*,[^,]{1,80},)?"
_ROLE_Q = r"(?:the\s+(?:company|firm|start-?up|organi[sz]ation)(?:'s|\u2019s)\s+|the\s+|its\s+|an?\s+)?(?:{ORG}(?:'s|\u2019s)?\s+)?(?:new\s+|next\s+|permanent\s+)?(?:interim\s+|acting\s+|temporary\s+)?(?:{ORG}\s+)?{ROLE}"

_FIRE = (
    r"fires|fired|firing|ousts|ousted|ousting|sacks|sacked|dismisses|dismissed|removes|removed|"
    r"axes|axed|boots|booted|ejects|ejected|pushes\s+out|pushed\s+out|forces\s+out|forced\s+out|"
    r"kicks\s+out|kicked\s+out|terminates|terminated|cans|canned|dumps|dumped"
)
_FIRED = (
    r"fired|ousted|sacked|dismissed|removed|axed|booted|ejected|pushed\s+out|forced\s+out|"
    r"kicked\s+out|let\s+go|terminated|canned|dumped"
)
_LEAVE = (
    r"departs|departed|departing|depart|leaves|left|leaving|leave|exits|exited|exiting|exit|quits|quit|"
    r"quitting|resigns|resigned|resigning|resign|walks\s+out|walked\s+out"
)
_NAME_V = (
    r"names|named|naming|taps|tapped|tapping|appoints|appointed|appointing|hires|hired|picks|picked|"
    r"chooses|chose|installs|installed|selects|selected|elevates|elevated|promotes|promoted|"
    r"brings\s+in|brought\s+in|turns\s+to|turned\s+to"
)
_NAMED = r"named|appointed|tapped|picked|chosen|installed|selected|confirmed|hired|elevated|promoted|made"
_BECOME = (
    r"becomes|became|become|becoming|be|takes\s+over\s+as|took\s+over\s+as|take\s+over\s+as|"
    r"steps\s+in\s+as|stepped\s+in\s+as|step\s+in\s+as|steps\s+into\s+the\s+breach\s+as|"
    r"serves?\s+as|serving\s+as|is\s+now|is\s+the|is(?!\s+an?\s)"
)
_BACK = (
    r"returns|returned|returning|return|is\s+back|back|comes\s+back|came\s+back|coming\s+back|"
    r"reinstated|rehired|re-hired|restored|reappointed|re-appointed|reinstalled|rejoins|rejoined|rejoin|"
    r"rejoining"
)
_BRING_BACK = (
    r"reinstates|reinstated|reinstating|reinstate|rehires|rehired|re-hires|rehire|brings\s+back|"
    r"brought\s+back|bring\s+back|restores|restored|reappoints|reappointed"
)
_HIRE = (
    r"hires|hired|hiring|hire|has\s+hired|snatches|snatched|snaps\s+up|snapped\s+up|recruits|recruited|"
    r"poaches|poached|scoops\s+up|scooped\s+up|nabs|nabbed|grabs|grabbed|lands|landed|welcomes|"
    r"welcomed|brings\s+in|brought\s+in|brings\s+on|signs|signed|swoops\s+in\s+and\s+hires|"
    r"swooped\s+in\s+and\s+hired"
)
_JOIN = (
    r"joins|joined|join|joining|moves\s+to|moved\s+to|moving\s+to|move\s+to|heads\s+to|headed\s+to|"
    r"heading\s+to|head\s+to|goes\s+to|went\s+to|going\s+to|jumps\s+to|jumped\s+to|jump\s+to|defects\s+to|"
    r"lands\s+at|landed\s+at|leaves\s+{ORG}\s+for|left\s+{ORG}\s+for|leaving\s+{ORG}\s+for|"
    r"signs\s+with|signed\s+with|hired\s+by|recruited\s+by|snapped\s+up\s+by|scooped\s+up\s+by|"
    r"poached\s+by|picked\s+up\s+by|lead|leads|leading|head|heads|heading"
)
_GET = (
    r"gets|get|getting|takes|took|take|taking|receives|received|receive|obtains|obtained|obtain|"
    r"secures|secured|secure|wins|won|win|given|granted|lands|landed|land|gains|gained|gain|"
    r"joins|joined|join|has|have"
)
# When something was said: "said Friday", "said late Tuesday".
_WHEN = (
    r"(?:(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|yesterday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?|late\s+\w+|earlier\s+\w+)"
)
_TAKE = r"takes|took|take|taking|assumes|assumed|assume|assuming|grabs|grabbed|seizes|seized"
# The end of a clause, for triggers that take no complement ("... takes over, ...").
_CLAUSE_END = r"(?=\s*$|[,.;:!?]|\s+-|\s+(?:and|but|after|amid|following|while|for\s+now)\b)"
_BOARD = (
    r"(?:{ORG}'s\s+|{ORG}\s+|the\s+|its\s+|an?\s+)?(?:(?:new|revamped|interim|initial)\s+)?(?:{ORG}\s+)?"
    r"(?:(?:new|revamped|interim|initial)\s+)?board"
)

FRAMES = (
    # Leaving the organisation (fired, ousted, quits): ends the office and the board seat.
    Frame("en.leave.fired-by", "leave",
          r"(?:{ORGX}(?:\s+board(?:\s+of\s+directors)?)?|\b(?:says|said)\s+(?:" + _WHEN + r"\s+)?(?:that\s+)?it)"
          r"\s+{GAP}(?P<v>" + _FIRE + r")\s+{FILL}{P}"),
    Frame("en.leave.is-fired", "leave",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _FIRED + r")(?!\s+(?:by|at|from)\s+(?!(?:the\s+)?{ORGX}))"
          r"(?=\s*$|\s+(?:as|at|from|by|of|after|over|in|on|amid|for|,)|[,.;:!?]|\s+-)"),
    Frame("en.leave.out-at", "leave",
          r"{P}\s+(?:is\s+|was\s+|now\s+)?(?P<v>out)\s+(?:at|from|as)\s+{FILL}{ORGX}"),
    Frame("en.leave.quits", "leave",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _LEAVE + r")"
          r"(?=\s*$|[,.;:!?]|\s+-|\s+(?:{ORGX}|as|from|too|after|over|amid|following|in\s+protest|the\s+board|both|and|"
          r"on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|today|tonight|yesterday|"
          r"hours|shortly|immediately|late|early)\b)"),
    Frame("en.leave.resignation", "leave",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>announced|announces|announcing|tendered|tenders|submitted|"
          r"handed\s+in|offered)\s+(?:his|her|their)\s+resignation"),
    Frame("en.leave.no-longer-with", "leave",
          r"{P}\s+(?:is\s+)?(?P<v>no\s+longer)\s+(?:with|at|part\s+of)\s+{ORGX}", ignore=("negated",)),
    Frame("en.leave-ceo.steps-down", "leave_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>steps\s+down|stepped\s+down|stepping\s+down|step\s+down|"
          r"steps\s+aside|stepped\s+aside|exits|exited|exiting|resigns|resigned)\s+(?:as|from)\s+"
          r"(?:{FILL})?{ROLE}"),
    Frame("en.leave-ceo.no-longer", "leave_ceo",
          r"{P}\s+(?:is\s+|was\s+)?(?P<v>no\s+longer)\s+" + _ROLE_Q, ignore=("negated",)),
    # Appointments to the CEO office.
    Frame("en.ceo.names", "appoint_ceo",
          r"{ORGX}(?:\s+board)?\s+{GAP}(?P<v>" + _NAME_V + r")\s+{FILL}{P}'?" + _APPOS + r"\s*,?\s+"
          r"(?:as\s+|to\s+be\s+|to\s+lead\s+)?" + _ROLE_Q),
    Frame("en.ceo.names-elided", "appoint_ceo",
          r"(?:[,;]|\band)\s+(?P<v>names|named|appoints|appointed|taps|tapped|picks|picked|installs|installed)\s+"
          r"{FILL}{P}'?\s*,?\s+(?:as\s+)?" + _ROLE_Q),
    Frame("en.ceo.is-named", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _NAMED + r")\s+(?:as\s+)?" + _ROLE_Q),
    Frame("en.ceo.becomes", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _BECOME + r")\s+" + _ROLE_Q),
    Frame("en.ceo.new-ceo-is", "appoint_ceo",
          r"{ORG}\s+(?:(?:new|next|interim|acting)\s+)+{ROLE}\s+(?P<v>is)\s+{FILL}{P}"),
    # The office named by an idiom: "takes the helm", "takes over" (of the organisation).
    Frame("en.ceo.takes-helm", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _TAKE + r")\s+(?:over\s+)?(?:the\s+)?"
          r"(?:helm|reins|top\s+job)\b(?!\s+(?:of|at)\s+(?!{ORGX})(?-i:[A-Z]))"),
    Frame("en.ceo.takes-over", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>takes\s+over|took\s+over|take\s+over|taking\s+over)"
          r"(?:\s+(?:at|of)\s+{ORGX})?(?:\s+(?:on\s+an?\s+(?:interim|temporary|acting)\s+basis|"
          r"temporarily|in\s+the\s+interim))?" + _CLAUSE_END),
    Frame("en.ceo.to-lead", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>to\s+lead|will\s+lead|to\s+run|will\s+run|to\s+head|will\s+head)"
          r"\s+{ORG}(?!'|\u2019)" + _CLAUSE_END),
    Frame("en.ceo.replaced-by", "appoint_ceo",
          r"(?P<v>replaced|succeeded)\s+(?:as\s+{ROLE}\s+)?by\s+{FILL}{P}"),
    Frame("en.ceo.succeeds", "appoint_ceo",
          r"{P}'?\s+{GAP}(?P<v>succeeds|succeeded|succeeding|succeed|replaces|replacing|replace)\s+"
          r"{FILL}(?:as\s+)?{ROLE}"),
    # Returns: to the office (return_ceo) or to the organisation (return).
    Frame("en.return-ceo.is-back", "return_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _BACK + r")\s+(?:(?:to|at)\s+)?(?:{ORGX}\s+)?"
          r"(?:to\s+(?:his|her|the)\s+(?:old\s+)?(?:job|post|role|position)\s+)?as\s+" + _ROLE_Q),
    Frame("en.return-ceo.brings-back", "return_ceo",
          r"{ORGX}\s+{GAP}(?P<v>" + _BRING_BACK + r"|brings|brought|bring)\s+{FILL}{P}(?:\s+back)?\s+"
          r"(?:to\s+{ORGX}\s+)?as\s+" + _ROLE_Q),
    Frame("en.return-ceo.helm", "return_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _BACK + r")\s+(?:at|to|in)\s+the\s+(?:helm|top\s+job)\b"
          r"(?!\s+(?:of|at)\s+(?!{ORGX})(?-i:[A-Z]))"),
    Frame("en.return.is-back", "return",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _BACK + r")\s+(?:(?:to|at|with|in)\s+){ORGX}"
          r"(?!'?s?\s+(?:\w+\s+)?(?:headquarters|HQ|offices?|campus|building))"),
    Frame("en.return.brings-back", "return",
          r"{ORGX}\s+{GAP}(?P<v>" + _BRING_BACK + r")\s+{FILL}{P}"),
    # The partner hires the ousted leaders.
    Frame("en.partner.hires", "join_partner",
          r"{PARTNER}(?:,\s+which)?\s+{GAP}(?P<v>" + _HIRE + r")\s+{FILL}{PL}"),
    Frame("en.partner.joins", "join_partner",
          r"{PL}" + _APPOS + r"\s+{GAP}(?P<v>" + _JOIN + r")\s+{PARTNER}"),
    # The board.
    Frame("en.board.new", "board_new",
          r"(?P<v>new\s+(?:initial\s+|provisional\s+|interim\s+)?board(?:\s+of\s+directors)?|"
          r"(?:initial|provisional|interim|revamped|reconstituted)\s+board(?:\s+of\s+directors)?|"
          r"new\s+(?:board\s+)?members|board\s+(?:will\s+)?(?:now\s+)?(?:consists?|comprises?|is\s+made\s+up))"),
    Frame("en.board.formed-by", "board_new",
          r"{PL}\s+{GAP}(?P<v>will\s+form|form|forming|to\s+form|make\s+up|will\s+make\s+up|to\s+make\s+up|"
          r"comprise|constitute|will\s+constitute|are\s+on)\s+(?:the\s+|a\s+)?(?:{ORG}'s\s+)?(?:{ORG}\s+)?"
          r"(?:new|initial|interim|provisional|revamped)\s+board"),
    Frame("en.board.chaired-by", "board_chair",
          r"board\b[^.;]{0,80}?(?P<v>chaired|led|headed)\s+by\s+{FILL}{P}"),
    Frame("en.board.chair-is", "board_chair",
          r"{P}\s*(?P<v>\(chair(?:man|woman|person)?\)|,?\s+(?:as|will\s+be|becomes|named|to\s+be)\s+"
          r"(?:the\s+)?(?:new\s+)?(?:board\s+)?chair(?:man|woman|person)?)"),
    Frame("en.board.to-chair", "board_chair",
          r"{P}\s+{GAP}(?P<v>to\s+chair|will\s+chair|chairs|chaired|chairing|to\s+lead|will\s+lead|leads|"
          r"named\s+chair(?:man|woman)?\s+of|becomes\s+chair(?:man|woman)?\s+of)\s+" + _BOARD),
    Frame("en.board.chair-named", "board_chair",
          r"board(?:'s)?\s+(?:new\s+)?(?:chair(?:man|woman|person)?)\s+(?P<v>is|will\s+be|becomes)\s+{FILL}{P}"),
    Frame("en.board.joins", "board_join",
          r"{PL}\s+{GAP}(?P<v>joins|joined|join|rejoins|rejoin|rejoining|added\s+to|appointed\s+to|"
          r"named\s+to|gets\s+a\s+seat\s+on|takes\s+a\s+seat\s+on)\s+" + _BOARD),
    Frame("en.board.leaves", "board_leave",
          r"{PL}\s+{GAP}(?P<v>leaves|leave|left|leaving|quits|quit|steps\s+down\s+from|stepped\s+down\s+from|"
          r"resigns\s+from|resigned\s+from|removed\s+from|ousted\s+from|off|out\s+of|out\s+from|departs)\s+" + _BOARD),
    Frame("en.board.member-steps-down", "board_leave",
          r"board\s+(?:member|director)\s+{P}" + _APPOS + r"\s+{GAP}(?P<v>steps\s+down|stepped\s+down|"
          r"stepping\s+down|step\s+down|steps\s+aside|stepped\s+aside)" + _CLAUSE_END),
    Frame("en.board.no-longer-on", "board_leave",
          r"{PL}\s+(?:is\s+|are\s+)?(?P<v>no\s+longer\s+(?:on|sits?\s+on|a\s+member\s+of|part\s+of))\s+"
          + _BOARD, ignore=("negated",)),
    # The partner's non-voting seat.
    Frame("en.partner.observer", "partner_observer",
          r"{PARTNER}\s+{GAP}(?P<v>" + _GET + r")\s+(?:[^\s.;]+\s+){0,9}?(?:non-?voting|observer)"),
    Frame("en.partner.observer-for", "partner_observer",
          r"(?P<v>non-?voting|observer)\s+(?:[\w'-]+\s+){0,4}?(?:for|to)\s+{PARTNER}"),
    Frame("en.partner.gives-observer", "partner_observer",
          r"{ORGX}\s+{GAP}(?P<v>gives|gave|grants|granted|offers|offered|give|grant)\s+{PARTNER}\s+"
          r"(?:[\w'-]+\s+){0,4}?(?:non-?voting|observer)"),
)

_TERMINATORS = re.compile(
    r"[,;:!?()\[\]\"“”«»—–|]|\s-\s|\.\s|(?<!\w)(?:but|while|whereas|although|though|because|after|"
    r"before|since|following|when|which|who|whom|unless|if|until|amid|despite)(?!\w)",
    re.I,
)

CUES = CueSet(
    tuple(
        cues("negated", "clause", [
            r"not", r"\w+n't", r"never", r"no", r"won't", r"cannot", r"denie[sd]", r"deny(?:ing)?",
            r"reject\w*", r"refus\w*", r"declin\w*", r"rul\w+\s+out", r"fail\w*", r"instead\s+of",
            r"without", r"nor", r"neither", r"no\s+longer", r"far\s+from", r"backs?\s+out",
            r"call\w*\s+off", r"scrap\w*", r"collaps\w*",
        ])
        + cues("speculative", "clause", [
            r"reportedly", r"reports?:", r"reportedly", r"said\s+to", r"is\s+said", r"are\s+said",
            r"may", r"might", r"could", r"possibl[ey]", r"potential(?:ly)?", r"likely", r"unlikely",
            r"rumou?r\w*", r"talks?", r"discuss\w*", r"negotiat\w*", r"consider\w*", r"weigh\w*",
            r"push\w*\s+(?:for|to)", r"urg\w*", r"want\w*", r"seek\w*", r"sought", r"aim\w*", r"tr(?:y|ies|ying|ied)\s+to",
            r"attempt\w*", r"efforts?", r"plot\w*", r"bid", r"hop(?:e|es|ing)", r"threat\w*",
            r"demand\w*", r"call\w*\s+for", r"sources?", r"people\s+familiar", r"according\s+to",
            r"in\s+the\s+running", r"mull\w*", r"explor\w*", r"close\s+to", r"nears?", r"nearing",
            r"eyes", r"eyeing", r"lobby\w*", r"campaign\w*", r"pressure\w*", r"in\s+line\s+for",
            r"suggest\w*", r"speculat\w*", r"allegedly", r"apparently", r"probably",
            r"open\s+to", r"willing\s+to", r"ready\s+to", r"prepared\s+to", r"keen\s+to", r"eager\s+to",
        ])
        + cues("planned", "clause", [
            r"will", r"'ll", r"shall", r"would", r"set\s+to", r"expected\s+to", r"poised\s+to", r"plans?",
            r"planning", r"planned", r"going\s+to", r"about\s+to", r"slated\s+to", r"is\s+to", r"are\s+to",
            r"to\s+(?:be\s+)?\w+(?:\s+(?:in|up|out|on|over|back))?$", r"to\s+\w+\s+\w+$",
        ])
        + cues("conditional", "clause", [
            r"if", r"unless", r"provided\s+that", r"in\s+case", r"whether", r"in\s+the\s+event",
        ])
        + cues("historical", "clause", [
            r"after", r"before", r"since", r"following", r"in\s+the\s+wake\s+of", r"previously",
            r"earlier", r"formerly", r"once", r"last\s+(?:week|month|year|time)", r"ago",
            r"(?:19|20)\d\d", r"had\s+been", r"been\s+\w+\s+before", r"recap\w*", r"timeline",
            r"look\s+back", r"in\s+the\s+past", r"back\s+in", r"remember\w*", r"recall\w*",
        ])
        + cues("historical", "after", [
            r"before(?=\s*$)", r"ago", r"previously", r"once\s+before", r"(?:in|back\s+in)\s+(?:19|20)\d\d",
            r"last\s+(?:week|month|year)", r"years?\s+(?:earlier|before)",
        ])
        + cues("opinion", "clause", [
            r"should", r"must", r"ought\s+to", r"needs?\s+to", r"lesson\w*", r"opinion",
        ])
        + cues("question", "sentence", [r"\?", r"^(?:is|are|was|were|will|would|could|can|should|does|did|has|have)\s"],
               bounded=False)
        + cues("speculative", "sentence", [
            r"[-–—]\s*reports?\s*$", r"reports\s+say", r"say\s+reports", r"sources?\s+(?:say|said|says|told)",
            r"(?:people|persons?|sources?)\s+(?:familiar|close|briefed)",
            r"reports\s+suggest", r"according\s+to\s+(?:people|sources|a\s+person|reports|multiple)",
        ])
        + cues("historical", "sentence", [
            r"\((?:19|20)\d\d\)", r"(?:fired|ousted|sacked|dismissed)\s+(?:and|then|,)\s+(?:then\s+)?"
            r"(?:re-?hired|reinstated|brought\s+back|returned)",
            r"(?:firing|ouster|sacking|dismissal)\s+and\s+(?:re-?hiring|reinstatement|return)",
            r"(?:fir|oust|sack)\w*\s+(?:and\s+)?(?:then\s+)?(?:re-?hir|reinstat|bring\w*\s+back)\w*",
        ])
        + cues("historical", "article", [
            r"^(?:how|why|what|who|inside|explain\w*|here's|the\s+(?:inside\s+)?story|a\s+timeline|"
            r"timeline|everything|the\s+winners|winners|\w+\s+days\s+of|key\s+players|behind\s+the)\s",
        ], bounded=False)
        + cues("historical", "article", [
            r"\btimeline\b", r"\brecap\b", r"\blook\s+back\b", r"\bin\s+retrospect\b", r"\bexplained\b",
            r"\bhow\s+it\s+happened\b", r"\bwhat\s+happened\b",
        ])
        + cues("opinion", "article", [
            r"\|\s*[A-Z][\w'-]+\s+[A-Z][\w'-]+\s*$", r"^opinion\b", r"\beditorial\b", r"\bpodcast\b",
            r"\bop-ed\b", r"\bcolumn\b",
        ])
        + cues("unnamed", "sourced", [
            r"according\s+to\s+(?:people|sources|a\s+person|several|multiple|two|three|reports)", r"sources?\s+(?:say|said|says|told|familiar|close)", r"people\s+familiar", r"person\s+familiar", r"reportedly", r"(?:is|are|was|were)\s+said\s+to", r"reports\s+say", r"(?-i:[A-Z][\w.]*)\s+reports?\s+that", r"anonymous", r"unnamed", r"speculat\w*", r"rumou?r\w*",
        ])
        + cues("announce", "article", [
            r"effective\s+immediately", r"with\s+immediate\s+effect",
            r"announc\w*", r"confirm\w*", r"officially", r"agreement", r"agreed", r"agrees", r"statement",
            r"(?:reach\w*|strike\w*|struck|clinch\w*|seal\w*|hammer\w*\s+out)\s+(?:an?\s+)?(?:\w+\s+)?(?:deal|accord)",
            r"deal\s+(?:is\s+|was\s+|has\s+been\s+)?(?:reached|struck|agreed|done)",
            r"(?:company|board|directors|firm|start-?up|(?-i:[A-Z][\w.&-]*))(?:'s)?\s+(?:\w+\s+){0,2}?(?:says|said)",
            r"(?:says|said)\s+(?:in\s+a\s+)?(?:statement|post|blog|memo)",
        ])
    ),
    _TERMINATORS,
)

# A weekday named in a claim's clause dates it: two or more days before publication, it is a recap.
WEEKDAYS = tuple(re.compile(rf"(?<!\w){w}(?!\w)", re.I) for w in (r"monday", r"tuesday", r"wednesday", r"thursday", r"friday", r"saturday", r"sunday"))

LANGUAGE = Language(
    code="en",
    frames=FRAMES,
    cues=CUES,
    orgx=ORGX,
    role=ROLE,
    interim=re.compile(r"\b(?:interim|acting|temporary|temporarily|caretaker)\b", re.I),
    weekdays=WEEKDAYS,
    chair=re.compile(r"chair", re.I),
)
