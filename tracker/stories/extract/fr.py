"""French rules: trigger verbs and role nouns, and French cue lists.

Written for French news style, not translated: the journalistic conditional
("il reviendrait", "aurait été limogé") marks a report the outlet does not vouch
for; "selon des sources" attributes; "n'est plus PDG" asserts a departure.
"""

from __future__ import annotations

import re

from tracker.stories.extract.cues import CueSet, cues
from tracker.stories.extract.frames import Frame, Language

ORGX = (
    r"(?:(?:le|la|l'|son|sa|leur|du|de\s+la|de\s+l')\s*)?(?:conseil\s+d'administration|conseil|"
    r"entreprise|société|start-?up|firme|groupe|laboratoire|(?:créateur|concepteur|éditeur)\s+de\s+(?-i:[A-Z])[\w-]*|"
    r"maison\s+mère|direction)"
)
ROLE = (
    r"(?:PDG|P\.-?D\.G\.|directeur\s+général|directrice\s+générale|DG|CEO|patron|patronne|"
    r"dirigeant|dirigeante|président\s+exécutif|présidente\s+exécutive|grand\s+patron)"
    r"(?!\s+(?:de|d'|chez)\s*(?!{ORGX})(?-i:[A-Z]))"
)
_APPOS = r"(?:\s*,[^,]{1,80},)?"
_INTERIM = r"(?:\s+(?:par\s+intérim|intérimaire|provisoire|temporaire|de\s+transition))?"
_ROLE_Q = (
    r"(?:(?:le|la|l'|un|une|son|sa|comme|en\s+tant\s+que|au\s+poste\s+de)\s*)*"
    r"(?:nouveaux?\s+|nouvelle\s+)?{ROLE}" + _INTERIM
)
_HEAD = r"(?:à\s+la\s+tête|aux\s+commandes|à\s+la\s+direction|aux\s+rênes)\s+(?:d'|de\s+|du\s+)\s*{ORGX}"
_E = r"(?:e|es|s)?"   # agreement of a participle
_FIRED = (
    r"limogé|évincé|renvoyé|licencié|remercié|congédié|écarté|destitué|démis|viré|débarqué|chassé|"
    r"éjecté|poussé\s+vers\s+la\s+sortie|mis\s+à\s+la\s+porte|remercié"
)
_FIRE = (
    r"limoge|évince|renvoie|licencie|remercie|congédie|écarte|destitue|vire|débarque|chasse|"
    r"se\s+sépare\s+de|met\s+à\s+la\s+porte|a\s+(?:limogé|évincé|renvoyé|licencié|remercié|congédié|"
    r"écarté|destitué|viré|débarqué|chassé|mis\s+à\s+la\s+porte)|s'est\s+séparée?\s+de"
)
_QUIT = (
    r"quitte|a\s+quitté|quittera|démissionne|a\s+démissionné|claque\s+la\s+porte|a\s+claqué\s+la\s+porte|"
    r"part|est\s+parti|s'en\s+va|jette\s+l'éponge"
)
_NAMED = r"(?:nommé|désigné|choisi|promu|propulsé|intronisé|installé|bombardé|appelé|confirmé|investi)"
_NAME = (
    r"nomme|a\s+nommé|désigne|a\s+désigné|choisit|a\s+choisi|installe|a\s+installé|appelle|a\s+appelé|"
    r"promeut|a\s+promu|recrute|a\s+recruté|embauche|a\s+embauché|confie\s+les\s+rênes\s+à|"
    r"a\s+confié\s+les\s+rênes\s+à"
)
_BACK = (
    r"revient|est\s+de\s+retour|de\s+retour|fait\s+son\s+(?:grand\s+)?retour|retrouve|réintègre|réintégré" + _E + r"|rétabli" + _E + r"|"
    r"reprend|reviendra|reviendrait|va\s+revenir|doit\s+revenir|rappelé" + _E + r"|réembauché" + _E + r"|"
    r"revenu|revenir|a\s+retrouvé|a\s+repris|a\s+été\s+réintégré" + _E
)
_BACK_ROLE = (
    r"(?:(?:à|chez|au\s+sein\s+d'|au\s+sein\s+de)\s*{ORGX}\s+)?(?:" + _HEAD + r"|"
    r"(?:son|sa|ses)\s+(?:poste|fauteuil|siège|fonctions|place)(?:\s+de\s+{ROLE})?|les\s+rênes|"
    r"(?:comme|en\s+tant\s+que|au\s+poste\s+de)\s+" + _ROLE_Q + r")"
)
_BRING_BACK = (
    r"réintègre|a\s+réintégré|rappelle|a\s+rappelé|réembauche|a\s+réembauché|rétablit|a\s+rétabli|"
    r"reprend|a\s+repris|réinstalle|a\s+réinstallé"
)
_JOIN = (
    r"rejoint|rejoignent|rejoindra|rejoindront|a\s+rejoint|ont\s+rejoint|va\s+rejoindre|vont\s+rejoindre|"
    r"part\s+chez|partent\s+chez|passe\s+chez|passent\s+chez|file\s+chez|filent\s+chez|atterrit\s+chez|"
    r"atterrissent\s+chez|débarque\s+chez|débarquent\s+chez|s'engage\s+chez|embauchés?\s+par|"
    r"recrutés?\s+par|recrutée?s?\s+par|embauchée?s?\s+par"
)
_HIRE = (
    r"embauche|a\s+embauché|recrute|a\s+recruté|débauche|a\s+débauché|récupère|a\s+récupéré|accueille|"
    r"a\s+accueilli|s'offre|s'est\s+offert|attire|a\s+attiré|engage|a\s+engagé|recueille|a\s+recueilli|"
    r"met\s+la\s+main\s+sur|a\s+mis\s+la\s+main\s+sur|enrôle|a\s+enrôlé"
)
_BOARD = r"(?:(?:le|au|du)\s+)?conseil(?:\s+d'administration)?"

FRAMES = (
    Frame("fr.leave.is-fired", "leave",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>(?:" + _FIRED + r")" + _E + r")(?!\s+(?:par\s+|de\s+|d')(?!{ORGX}))"),
    Frame("fr.leave.fires", "leave", r"{ORGX}(?:\s*,\s*qui)?\s+{GAP}(?P<v>" + _FIRE + r")\s+{FILL}{P}"),
    Frame("fr.leave.quits", "leave",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _QUIT + r")"
          r"(?=\s*$|[,.;:!?]|\s+-|\s+(?:{ORGX}|à\s+son\s+tour|aussi|également|lui\s+aussi|en\s+signe|"
          r"à\s+son\s+tour)\b|\s+(?:d'|de\s+)\s*{ORGX}|\s+{ORG})"),
    Frame("fr.leave-ceo.no-longer", "leave_ceo",
          r"{P}\s+(?P<v>n'est\s+plus|ne\s+sera\s+plus)\s+" + _ROLE_Q, ignore=("negated",)),
    Frame("fr.leave-ceo.no-longer-head", "leave_ceo",
          r"{P}\s+(?P<v>n'est\s+plus)\s+" + _HEAD, ignore=("negated",)),
    Frame("fr.ceo.is-named", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _NAMED + _E + r")\s+(?:" + _ROLE_Q + r"|" + _HEAD + r")"),
    Frame("fr.ceo.names", "appoint_ceo",
          r"{ORGX}\s+{GAP}(?P<v>" + _NAME + r")\s+{FILL}{P}\s*,?\s+(?:" + _ROLE_Q + r"|" + _HEAD + r")"),
    Frame("fr.ceo.becomes", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>devient|devenu|devenue|deviendra|est\s+(?:le\s+nouveau|la\s+nouvelle)|"
          r"sera|assure|assurera)\s+" + _ROLE_Q),
    Frame("fr.ceo.takes-the-helm", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>prend|a\s+pris|prendra|reprend|hérite\s+de)\s+"
          r"(?:la\s+tête|les\s+rênes|les\s+commandes|la\s+direction)\s+(?:d'|de\s+|du\s+)\s*{ORGX}" + _INTERIM),
    Frame("fr.ceo.interim", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>assure|assurera|assurer)\s+l'intérim"),
    Frame("fr.ceo.succeeds", "appoint_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>succède|a\s+succédé|succédera|remplace|a\s+remplacé|remplacera)\s+"
          r"(?:à\s+)?{FILL}(?:" + _HEAD + r"|comme\s+" + _ROLE_Q + r"|au\s+poste\s+de\s+{ROLE})"),
    Frame("fr.ceo.new-boss", "appoint_ceo",
          r"{P}\s*,?\s+(?P<v>nouveaux?|nouvelle)\s+{ROLE}" + _INTERIM + r"(?:\s+(?:d'|de\s+|du\s+)\s*{ORGX})?"),
    Frame("fr.ceo.new-boss-is", "appoint_ceo",
          r"(?P<v>nouveaux?|nouvelle)\s+{ROLE}" + _INTERIM + r"\s+(?:d'|de\s+|du\s+)\s*{ORGX}\s*(?::|est\s)\s*{FILL}{P}"),
    Frame("fr.ceo.replaced-by", "appoint_ceo", r"(?P<v>remplacée?|succédée?)\s+par\s+{FILL}{P}"),
    Frame("fr.return-ceo.is-back", "return_ceo",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _BACK + r")(?:\s+(?:pas|plus|jamais))?\s+" + _BACK_ROLE),
    Frame("fr.return-ceo.brings-back", "return_ceo",
          r"{ORGX}\s+{GAP}(?P<v>" + _BRING_BACK + r")\s+{FILL}{P}\s+(?:comme|en\s+tant\s+que|au\s+poste\s+de|"
          r"à\s+la\s+tête)\s+"),
    Frame("fr.return-ceo.nominal", "return_ceo",
          r"(?P<v>retour|réintégration|come-back)\s+(?:de\s+|d')\s*{FILL}{P}\s+" + _BACK_ROLE, base="planned"),
    Frame("fr.return.is-back", "return",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>" + _BACK + r"|retourne)\s+(?:chez|à|au\s+sein\s+d'|au\s+sein\s+de|dans)\s*{ORGX}"),
    Frame("fr.return.rejoins", "return",
          r"{P}" + _APPOS + r"\s+{GAP}(?P<v>réintègre|retrouve|rejoint\s+à\s+nouveau|regagne)\s+{ORGX}"),
    Frame("fr.return.brings-back", "return", r"{ORGX}\s+{GAP}(?P<v>" + _BRING_BACK + r")\s+{FILL}{P}"),
    Frame("fr.return.nominal", "return",
          r"(?P<v>retour|réintégration|come-back)\s+(?:de\s+|d')\s*{FILL}{P}", base="planned"),
    Frame("fr.partner.joins", "join_partner", r"{PL}" + _APPOS + r"\s+{GAP}(?P<v>" + _JOIN + r")\s+{PARTNER}"),
    Frame("fr.partner.arrival", "join_partner",
          r"(?P<v>arrivée|recrutement|embauche|ralliement|départ)\s+(?:de\s+|d')\s*{FILL}{PL}\s+(?:chez|à|pour)\s+{PARTNER}",
          base="planned"),
    Frame("fr.partner.hires", "join_partner", r"{PARTNER}\s+{GAP}(?P<v>" + _HIRE + r")\s+{FILL}{PL}"),
    Frame("fr.board.new", "board_new",
          r"(?P<v>nouveau\s+conseil(?:\s+d'administration)?|conseil(?:\s+d'administration)?\s+(?:remanié|"
          r"renouvelé|provisoire|intérimaire|recomposé)|nouveaux\s+administrateurs|nouveaux\s+membres)"),
    Frame("fr.board.chaired-by", "board_chair",
          r"conseil\b[^.;]{0,80}?(?P<v>présidé|dirigé|mené)\s+par\s+{FILL}{P}"),
    Frame("fr.board.chair-is", "board_chair",
          r"{P}\s*(?P<v>\((?:président|présidente)\)|,?\s+(?:à\s+la\s+présidence|comme\s+président|"
          r"nommée?\s+président|en\s+tant\s+que\s+président))"),
    Frame("fr.board.joins", "board_join",
          r"{P}\s+{GAP}(?P<v>rejoint|entre|fait\s+son\s+entrée|siégera|siège|intègre)\s+(?:au|dans\s+le|le)\s+"
          r"conseil"),
    Frame("fr.board.leaves", "board_leave",
          r"{P}\s+{GAP}(?P<v>quitte|a\s+quitté|démissionne|sort|écartée?|évincée?)\s+(?:du|le)\s+conseil"),
    Frame("fr.partner.observer", "partner_observer",
          r"{PARTNER}\s+{GAP}(?P<v>obtient|a\s+obtenu|obtiendra|décroche|a\s+décroché|récupère|aura|reçoit|"
          r"gagne|se\s+voit\s+(?:offrir|attribuer|accorder))\s+(?:[^\s.;]+\s+){0,8}?(?:d'|l')?(?:observateur|"
          r"sans\s+droit\s+de\s+vote)"),
    Frame("fr.partner.observer-for", "partner_observer",
          r"(?P<v>siège\s+d'observateur|statut\s+d'observateur|observateur\s+sans\s+droit\s+de\s+vote)\s+"
          r"(?:[\w'-]+\s+){0,4}?(?:pour|à)\s+{PARTNER}"),
)

_TERMINATORS = re.compile(
    r"[,;:!?()\[\]\"“”«»—–|]|\s-\s|\.\s|(?<!\w)(?:mais|alors\s+que|tandis\s+que|bien\s+que|parce\s+que|car|"
    r"après|avant|depuis|lorsque|quand|qui|dont|sauf|si|malgré)(?!\w)",
    re.I,
)
# Words ending like a conditional verb that are not verbs.
_NOT_VERBS = r"(?!(?:portrait|retrait|trait|attrait|abstrait|extrait|distrait|soustrait)\b)"

CUES = CueSet(
    tuple(
        cues("negated", "clause", [
            r"ne", r"n'\w+", r"jamais", r"dément\w*", r"démenti\w*", r"refus\w*", r"rejett?\w*", r"exclu\w*",
            r"pas\s+de", r"aucun\w*", r"sans", r"renonc\w*", r"échec", r"échou\w*", r"capot\w*", r"avort\w*",
        ])
        + cues("conditional", "clause", [
            _NOT_VERBS + r"\w{2,}(?:rait|raient)",
            r"si", r"s'il", r"s'ils", r"à\s+condition", r"au\s+cas\s+où", r"sauf\s+si", r"à\s+moins\s+qu\w*",
        ])
        + cues("speculative", "clause", [
            r"selon\s+(?:des|plusieurs|certaines|nos|de\s+nombreuses|les)?\s*(?:sources|médias|informations|"
            r"rumeurs|proches|personnes|indiscrétions)",
            r"d'après\s+(?:des|plusieurs|certaines|nos|la|les)?\s*(?:sources|presse|médias|informations)",
            r"pourrai\w*", r"envisag\w*", r"négoci\w*", r"discussions?", r"discute\w*", r"pourparlers",
            r"tractations", r"rumeurs?", r"possibl\w*", r"probabl\w*", r"éventuel\w*", r"tent\w*",
            r"essai\w*", r"essaye\w*", r"cherch\w*", r"veut", r"veulent", r"souhait\w*", r"espèr\w*",
            r"réclam\w*", r"exig\w*", r"pouss\w*", r"plaid\w*", r"menac\w*", r"appel\w*\s+à", r"vers\s+un",
            r"bruits?\s+de\s+couloir", r"apparemment", r"visiblement", r"prétendument", r"en\s+lice",
            r"pressenti\w*", r"évoqu\w*", r"pression\w*", r"prêt\w*\s+à", r"disposé\w*\s+à", r"ouvert\w*\s+à",
        ])
        + cues("planned", "clause", [
            r"va", r"vont", r"devrai\w*", r"doit", r"doivent", r"s'apprêt\w*", r"prévu\w*", r"prévoit",
            r"sera", r"seront", r"aura", r"auront", r"en\s+passe\s+de", r"bientôt",
            r"(?:revien|rejoin|devien|prend|obtien|comprend|détien)(?:dra|dront)",
            r"(?:quitt|dirig|remplac|succéd|présid|assur|nomm|rest|occup)(?:era|eront)",
            r"prochainement", r"compte",
        ])
        + cues("historical", "clause", [
            r"après", r"depuis", r"avant", r"il\s+y\s+a", r"auparavant", r"naguère", r"autrefois", r"déjà",
            r"retour\s+sur", r"rétrospective", r"chronologie", r"récit", r"(?:19|20)\d\d", r"avait\s+été",
            r"l'an\s+dernier", r"la\s+semaine\s+dernière", r"le\s+mois\s+dernier", r"souvenez-vous",
            r"dans\s+les\s+coulisses",
        ])
        + cues("opinion", "clause", [r"il\s+faut", r"faut-il", r"tribune", r"éditorial", r"chronique",
                                     r"point\s+de\s+vue", r"opinion", r"leçons?"])
        + cues("question", "sentence", [r"\?"], bounded=False)
        + cues("question", "sentence", [r"^est-ce", r"^(?:qui|quel|quelle|pourquoi|comment)"])
        + cues("speculative", "sentence", [
            r"[-–—]\s*(?:selon\s+)?(?:la\s+)?presse\s*$", r"selon\s+(?:des|plusieurs)\s+médias",
        ])
        + cues("historical", "sentence", [
            r"(?:limogé|évincé|renvoyé|viré)\w*\s+(?:puis|et)\s+(?:réintégré|rappelé|réembauché|rétabli)\w*",
            r"(?:limogeage|éviction|renvoi|licenciement)\s+(?:puis|et)\s+(?:la\s+|le\s+)?(?:réintégration|retour|réembauche)",
        ])
        + cues("historical", "article", [
            r"^(?:retour\s+sur|chronologie|récit|comment|pourquoi|qui|ce\s+qu'il\s+faut\s+savoir|"
            r"dans\s+les\s+coulisses|les\s+coulisses)\b", r"si\s+vous\s+avez\s+manqué", r"\brécapitulatif\b",
            r"\bretour\s+sur\b", r"\brétrospective\b", r"\bchronologie\b", r"\bles\s+dessous\b",
        ])
        + cues("opinion", "article", [r"^(?:tribune|éditorial|chronique|opinion|point\s+de\s+vue)\b"])
        + cues("unnamed", "sourced", [
            r"selon\s+(?:des|plusieurs|certaines|nos|de\s+nombreuses)\s+(?:sources|médias|informations|personnes)", r"sources?\s+proches?", r"d'après\s+(?:des|plusieurs)\s+(?:sources|médias)", r"rumeurs?", r"anonymat", r"\w{2,}(?:rait|raient)(?<!portrait)(?<!retrait)(?<!trait)(?<!attrait)",
        ])
        + cues("announce", "article", [
            r"avec\s+effet\s+immédiat", r"à\s+effet\s+immédiat",
            r"annonc\w*", r"a\s+annoncé", r"communiqué", r"confirm\w*", r"officiel\w*", r"accord",
            r"a\s+indiqué", r"a\s+fait\s+savoir", r"a\s+déclaré", r"déclare",
        ])
    ),
    _TERMINATORS,
)

# A weekday named in a claim's clause dates it: two or more days before publication, it is a recap.
WEEKDAYS = tuple(re.compile(rf"(?<!\w){w}(?!\w)", re.I) for w in (r"lundi", r"mardi", r"mercredi", r"jeudi", r"vendredi", r"samedi", r"dimanche"))

LANGUAGE = Language(
    code="fr",
    frames=FRAMES,
    cues=CUES,
    orgx=ORGX,
    role=ROLE,
    interim=re.compile(r"intérim|intérimaire|provisoire|temporaire|de\s+transition", re.I),
    weekdays=WEEKDAYS,
    chair=re.compile(r"présid", re.I),
)
