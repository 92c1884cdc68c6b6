"""Verbatim coding and the verbatim classifier, against scikit-learn (issue 14's speed targets).

    .venv/bin/python benchmarks/bench_text.py            # 10,000 labelled verbatims; 1M to code
    .venv/bin/python benchmarks/bench_text.py --quick    # 2,000 labelled; 100,000 to code

One run of each (no warm-up beyond importing), times printed with their ratio:

1. **Classifier.** Fit on 10,000 labelled verbatims (10 themes, French and English, about 20
   words each, generated here from templates with random fillers, seeded), then predict 10,000
   new ones. ``miroir.text.Classifier()`` (TF-IDF of 1–2-grams of stems, ``min_df=2``,
   sublinear tf; multinomial logistic regression, its default ``C=10``) against the scikit-learn
   pipeline with the same settings, ``TfidfVectorizer(ngram_range=(1, 2), min_df=2,
   sublinear_tf=True)`` + ``LogisticRegression(C=10.0)`` (lbfgs), with scikit-learn's own regex
   tokenizer (no stemming: less work than miroir's analyzer). A second scikit-learn line fits
   the same ``LogisticRegression`` on miroir's TF-IDF matrix (the solver alone, same features).
   Before the times: the share of predictions on which miroir and scikit-learn (on miroir's
   features) agree.
2. **Codebook coding.** ``miroir.text.code`` of 1,000,000 verbatims (about 20 words) with a
   100-theme codebook (French and English phrases and globs, generated here). Reference: the
   obvious pure-Python coder — one compiled regular expression (alternation of every pattern,
   word boundaries) per language over the folded text — timed on 50,000 verbatims and scaled
   linearly (it does less: no stems, no elisions, no negation, no spans in the raw text).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
import unicodedata
from typing import Any

import numpy as np
import polars as pl

from miroir.text import Codebook, code
from miroir.text.classifier import Classifier

THEMES = {
    "wait": (["une attente {adj} au guichet", "il a fallu patienter {dur}", "la file d'attente était {adj}"],
             ["a {adj} wait at the counter", "we had to wait {dur}", "the queue was {adj}"]),
    "staff": (["le conseiller était {adv} aimable", "un accueil {adv} chaleureux", "une vendeuse à l'écoute"],
              ["the advisor was {adv} friendly", "a {adv} warm welcome", "a saleswoman who listens"]),
    "price": (["les frais sont {adv} élevés", "le tarif a encore augmenté", "des frais cachés sur la facture"],
              ["the fees are {adv} high", "the rate went up again", "hidden charges on the bill"]),
    "product": (["le produit est arrivé cassé", "la qualité est {adj}", "l'appareil est tombé en panne"],
                ["the product arrived broken", "the quality is {adj}", "the device broke down"]),
    "online": (["le site internet est {adv} lent", "l'application plante", "impossible de me connecter"],
               ["the website is {adv} slow", "the app keeps crashing", "impossible to log in"]),
    "delivery": (["la livraison a pris {dur}", "le colis n'est jamais arrivé", "le livreur était en retard"],
                 ["delivery took {dur}", "the parcel never arrived", "the courier was late"]),
    "phone": (["personne ne répond au téléphone", "la hotline est {adj}", "on m'a raccroché au nez"],
              ["nobody answers the phone", "the hotline is {adj}", "they hung up on me"]),
    "advice": (["des conseils {adv} utiles", "une offre adaptée à mes besoins", "le conseiller m'a bien orienté"],
               ["{adv} useful advice", "an offer suited to my needs", "the advisor guided me well"]),
    "store": (["le magasin est {adv} propre", "les rayons sont bien rangés", "un parking {adj}"],
              ["the store is {adv} clean", "the shelves are tidy", "a {adj} car park"]),
    "refund": (["le remboursement a pris {dur}", "toujours pas remboursé", "un avoir refusé sans raison"],
               ["the refund took {dur}", "still not refunded", "a credit note refused for no reason"]),
}
FILL = {
    "fr": {"adj": ["interminable", "pénible", "correcte", "inacceptable", "énorme", "raisonnable"],
           "adv": ["vraiment", "très", "franchement", "plutôt", "toujours"],
           "dur": ["vingt minutes", "une heure", "trois jours", "deux semaines"],
           "pad": ["bonjour", "franchement", "comme d'habitude", "encore une fois", "dans l'ensemble", "bref",
                   "je dois dire que", "depuis des années", "à l'agence de Lyon", "hier matin"]},
    "en": {"adj": ["endless", "painful", "fine", "unacceptable", "huge", "reasonable"],
           "adv": ["really", "very", "frankly", "rather", "always"],
           "dur": ["twenty minutes", "an hour", "three days", "two weeks"],
           "pad": ["hello", "frankly", "as usual", "once again", "overall", "anyway", "I must say that",
                   "for years now", "at the Leeds branch", "yesterday morning"]},
}


def labelled(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    names = sorted(THEMES)
    texts, labels = [], []
    for _ in range(n):
        lang = rng.randrange(2)
        key = "fr" if lang == 0 else "en"
        theme = rng.choice(names)
        parts = [rng.choice(THEMES[theme][lang])]
        if rng.random() < 0.5:
            parts.append(rng.choice(THEMES[rng.choice(names)][lang]))
        parts += rng.sample(FILL[key]["pad"], 7 - len(parts))
        rng.shuffle(parts)
        sub = {k: rng.choice(v) for k, v in FILL[key].items() if k != "pad"}
        texts.append(", ".join(p.format(**sub) for p in parts))
        labels.append(theme if rng.random() > 0.03 else rng.choice(names))
    return texts, labels


# -- a 100-theme codebook and 1M verbatims -------------------------------------------------------

SYLLABLES = ["ba", "co", "di", "fa", "ge", "li", "mo", "nu", "pa", "ri", "sa", "te", "vi", "lo", "ra", "me", "tu", "ni"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def codebook_and_texts(n: int, seed: int) -> tuple[Codebook, pl.DataFrame, dict[str, list[str]]]:
    rng = random.Random(seed)
    used: set[str] = set()

    def fresh() -> str:
        while True:
            w = word(rng)
            if w not in used:
                used.add(w)
                return w

    themes, patterns = [], {"fr": [], "en": []}
    for i in range(100):
        fr = [fresh(), f"{fresh()} {fresh()}", fresh() + "*"]
        en = [fresh(), f"{fresh()} {fresh()}", fresh() + "*"]
        themes.append({"id": f"t{i:03d}", "fr": fr, "en": en})
        patterns["fr"] += fr
        patterns["en"] += en
    book = Codebook.from_dict(themes)
    fillers = {"fr": ["le", "la", "de", "et", "très", "vraiment", "mais", "pas", "avec", "pour", "un", "une", "au", "des"]
               + [fresh() for _ in range(300)],
               "en": ["the", "a", "of", "and", "very", "really", "but", "not", "with", "for", "an", "at", "to", "in"]
               + [fresh() for _ in range(300)]}
    texts, langs = [], []
    for _ in range(n):
        lang = "fr" if rng.random() < 0.5 else "en"
        words = rng.choices(fillers[lang], k=17)
        for _ in range(rng.randint(1, 3)):
            p = rng.choice(patterns[lang]).rstrip("*")
            words.insert(rng.randrange(len(words) + 1), p + ("s" if rng.random() < 0.3 else ""))
        texts.append(" ".join(words))
        langs.append(lang)
    v = pl.DataFrame({
        "study": ["bench"] * n, "side": ["customer"] * n,
        "respondent_id": [f"c{i}" for i in range(n)], "question": ["comment"] * n,
        "text": texts, "language": langs,
    })
    return book, v, patterns


def fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s.lower()) if not unicodedata.combining(c))


def regex_coder(patterns: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
    out = {}
    for lang, ps in patterns.items():
        alts = sorted((re.escape(fold(p[:-1])) + r"\w*" if p.endswith("*") else re.escape(fold(p)) for p in ps), key=len, reverse=True)
        out[lang] = re.compile(r"\b(?:" + "|".join(alts) + r")\b")
    return out


def timed(f: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_fit = 2_000 if args.quick else 10_000
    n_code = 100_000 if args.quick else 1_000_000
    print(f"threads: RAYON_NUM_THREADS={os.environ.get('RAYON_NUM_THREADS', 'default')}, CPUs {os.cpu_count()}")

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels = labelled(2 * n_fit, 0)
    train, new = texts[:n_fit], texts[n_fit:]
    y = labels[:n_fit]
    words = np.mean([len(t.split()) for t in train])
    print(f"\n1. classifier: fit on {n_fit:,} labelled verbatims ({words:.1f} words on average, 10 themes), predict {len(new):,}")

    t_miroir, model = timed(lambda: Classifier().fit(train, y))
    t_mpred, pred = timed(lambda: model.predict(new))
    print(f"   miroir: {len(model.vocabulary):,} terms, L-BFGS iterations {model.n_iter}, converged {model.converged}")

    def sk_pipeline() -> Any:
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        lr = LogisticRegression(C=10.0, l1_ratio=0.0, max_iter=1000).fit(vec.fit_transform(train), y)
        return vec, lr

    t_sk, (vec, lr) = timed(sk_pipeline)
    t_skpred, sk_pred = timed(lambda: lr.predict(vec.transform(new)))
    # the solver alone on miroir's features
    long = model.transform(train)
    import scipy.sparse as sp

    x = sp.csr_matrix((long["weight"].to_numpy(), (long["row"].to_numpy(), long["column"].to_numpy())),
                      shape=(len(train), len(model.vocabulary)))
    t_solver, lr2 = timed(lambda: LogisticRegression(C=10.0, l1_ratio=0.0, max_iter=1000).fit(x, y))
    longn = model.transform(new)
    xn = sp.csr_matrix((longn["weight"].to_numpy(), (longn["row"].to_numpy(), longn["column"].to_numpy())),
                       shape=(len(new), len(model.vocabulary)))
    agree = float(np.mean(np.array(pred.to_list()) == lr2.predict(xn)))
    truth = np.array(labels[n_fit:])
    print(f"   predictions agreeing with scikit-learn on miroir's features: {agree:.2%}; accuracy on the new "
          f"verbatims: miroir {np.mean(np.array(pred.to_list()) == truth):.3f}, scikit-learn pipeline "
          f"{np.mean(sk_pred == truth):.3f}")
    print(f"   {'':51s} {'fit':>8s} {'predict':>8s}")
    print(f"   {'miroir Classifier':51s} {t_miroir:7.2f}s {t_mpred:7.2f}s")
    print(f"   {'scikit-learn TfidfVectorizer + LogisticRegression':51s} {t_sk:7.2f}s {t_skpred:7.2f}s")
    print(f"   {'scikit-learn LogisticRegression on miroir TF-IDF':51s} {t_solver:7.2f}s")
    print(f"   ratio scikit-learn pipeline / miroir: fit {t_sk / t_miroir:.2f}x, predict {t_skpred / t_mpred:.2f}x"
          f" (target: miroir's fit under 5 s: {'met' if t_miroir < 5 else 'NOT met'})")

    print(f"\n2. codebook coding: {n_code:,} verbatims, 100 themes")
    t_gen, (book, v, patterns) = timed(lambda: codebook_and_texts(n_code, 1))
    words = v["text"].head(10_000).str.split(" ").list.len().mean()
    print(f"   generated in {t_gen:.1f}s ({words:.1f} words on average; {len(book)} themes)")
    t_code, coded = timed(lambda: code(v, book))
    print(f"   miroir.text.code: {t_code:.2f}s, {coded.mentions.height:,} mentions, "
          f"coverage {coded.coverage['share_coded'][0]:.3f} (target under 10 s: {'met' if t_code < 10 else 'NOT met'})")
    sample = min(50_000, n_code)
    rx = regex_coder(patterns)
    rows = v.head(sample).select("text", "language").rows()
    t_rx, found = timed(lambda: sum(len(rx[lang].findall(fold(t))) for t, lang in rows))
    scaled = t_rx * n_code / sample
    print(f"   pure-Python regex coder: {t_rx:.2f}s on {sample:,} ({found:,} matches), scaled to {n_code:,}: {scaled:.1f}s;"
          f" ratio {scaled / t_code:.1f}x")


if __name__ == "__main__":
    main()
