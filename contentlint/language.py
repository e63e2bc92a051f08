"""Which language a mail is written in: "fr", "en", "de", "es", "it", "nl" or "und".

A deliberately small heuristic (no model, nothing downloaded): count frequent function words of
each language in the first few thousand characters, add a little weight for letters only some
languages use (é/è/ç, ä/ö/ü/ß, ñ/¿…), and answer only when one language clearly leads.  Word
lists of a language are applied only to text in that language, so a German newsletter must not be
mistaken for English or French; when unsure the answer is "und".

URLs, e-mail addresses and template placeholders are removed first so ``{{ first_name }}`` or
``https://example.com/the-best-offer`` do not count as English.
"""
from __future__ import annotations

LANGS = ("fr", "en", "de", "es", "it", "nl")

#: Characters looked at; the start of a mail is representative and this keeps detection O(1).
MAX_CHARS = 3000

# Frequent function words.  A word listed under several languages counts for each of them; the
# words that decide are the ones only one language uses (the, und, est, het, che…).
_WORDS = {
    "fr": """le la les un une des du de et est sont pour par sur dans avec vous votre vos nous notre nos
        il elle ils elles qui que quoi ce cette ces son sa ses leur leurs au aux pas plus ne mais ou où
        été être avez avons fait tout tous très bien aussi comme chez sans entre après avant depuis
        je tu mon ma mes ton ta tes lui y en si même dont ici voici merci bonjour découvrez""",
    "en": """the and of to in is are for on with you your we our it this that be will have has not
        from at by or as all can more about an was were their they them there here if but do does
        what which who when how new get now out up just than its my me us his her been would should
        could any only also into over these those may see view thanks please""",
    "de": """der die das und ist sind nicht sie mit für auf den dem des ein eine einen einem einer
        ich wir ihr ihre ihren ihnen zu von im auch sich es bei oder wenn werden wird noch nur aus
        als an am um so wie was hier jetzt mehr uns unser unsere unseren dich dir du sein hat haben
        kann können über zum zur nach vor bis diese dieser dieses schon alle bitte hallo liebe lieber in""",
    "es": """el la los las un una unos unas de del y que es son por para con en su sus se no más como
        pero al lo este esta estos estas usted ustedes nuestro nuestra nuestros tu tus te le les ya
        muy hay sobre sin también desde cuando donde todo todos está están ser fue gracias hola""",
    "it": """il lo la le gli i un una uno di del della delle dei degli che è e per con non sono in su
        al alla alle ai nel nella nei questo questa questi anche ci ti si vi come ma più suo sua suoi
        tuo tua vostro vostra nostro nostra molto tutto tutti hai ha abbiamo essere stato grazie ciao""",
    "nl": """de het een en van is dat die niet op te voor met zijn je u uw wij we ons onze ook aan bij
        naar maar deze dit wordt worden heeft hebben er om als of nog wat kan meer nu al dan door
        over uit jouw jij hier hoe wel geen zo was ze tot bent in""",
}

# Letters that point to a language (weight per occurrence, capped per language).
_CHARS = {
    "fr": "éèêàçùœëîïôû",
    "de": "äöüß",
    "es": "ñ¿¡áíóú",
    "it": "òìàèù",
    "nl": "ĳ",
}
_CHAR_WEIGHT = 0.25
_CHAR_CAP = 2.0   # per chunk read

_INDEX: dict[str, tuple[str, ...]] = {}
for _lang, _ws in _WORDS.items():
    for _w in _ws.split():
        _INDEX[_w] = _INDEX.get(_w, ()) + (_lang,)
del _lang, _ws, _w

_ELIDED = frozenset("l d j n s c m t qu jusqu lorsqu puisqu presqu quoiqu".split())
_PUNCT = ".,;:!?()[]\"«»“”„‟‘`…-–—/*#+=&%$€£0123456789"
_NOISE_MARKS = ("@", "://", "www.", "{", "}", "|", "<", ">", "[[", "]]", "_")

#: Minimum function-word evidence for an answer, and how far ahead the winner must be.
MIN_SCORE = 2.0
MIN_RATIO = 1.5
#: Stop reading once the leader has this much evidence and this lead: most mails decide early.
_EARLY_SCORE = 15.0
_EARLY_RATIO = 2.0
_CHUNK = 600


def _count_words(chunk: str, out: dict[str, float]) -> None:
    index = _INDEX
    for tok in chunk.split():
        langs = index.get(tok)
        if langs is None:
            if tok.isalpha() or len(tok) > 25 or any(mark in tok for mark in _NOISE_MARKS):
                continue          # an ordinary word, or a URL / address / placeholder / markup
            tok = tok.strip(_PUNCT)
            if "'" in tok or "’" in tok:
                head, _, tail = tok.replace("’", "'").partition("'")
                if head in _ELIDED and tail:
                    out["fr"] += 1.0  # l'offre, qu'il, d'un, jusqu'au
                    tok = tail
                else:
                    tok = head        # it's, don't, we're
            langs = index.get(tok)
            if langs is None:
                continue
        for lang in langs:
            out[lang] += 1.0


def _decided(out: dict[str, float]) -> bool:
    first, second = sorted(out.values(), reverse=True)[:2]
    return first >= _EARLY_SCORE and first >= _EARLY_RATIO * second


def scores(text: str) -> dict[str, float]:
    """Evidence per language: function-word hits (+1 each, French elisions count for French) and
    weighted distinctive letters.  Reads chunk by chunk and stops once one language clearly leads."""
    out = dict.fromkeys(LANGS, 0.0)
    limit = min(len(text), MAX_CHARS)
    pos = 0
    while pos < limit:
        end = min(limit, pos + _CHUNK)
        if end < limit:
            space = text.find(" ", end, min(limit, end + 40))
            end = space if space != -1 else end
        chunk = text[pos:end].lower()
        _count_words(chunk, out)
        if not chunk.isascii():
            for lang, chars in _CHARS.items():
                k = 0
                for c in chars:
                    if c in chunk:
                        k += chunk.count(c)
                if k:
                    out[lang] = out[lang] + min(_CHAR_CAP, k * _CHAR_WEIGHT)
        pos = end
        if _decided(out):
            break
    return out


def detect(text: str) -> str:
    """ "fr", "en", "de", "es", "it", "nl" or "und" (too short, mixed, or another language)."""
    if not text or not text.strip():
        return "und"
    sc = scores(text)
    ranked = sorted(sc.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_second, runner) = ranked[0], ranked[1]
    if top < MIN_SCORE:
        return "und"
    if runner > 0 and top < MIN_RATIO * runner:
        return "und"
    return best
