//! The data of the theme catalogue ([`THEMES`]): each theme's parameters and its French verbatim
//! templates (see [`super::themes`] for what the fields mean).

use super::themes::{ThemeDef, Verbatims};

/// A `lucky_break` theme: rare, enchanting for customers (90% positive), rarely cited by employees
/// (0.8%, 70% from the "best interaction" question).
const fn lucky_break(name: &'static str, relevance: [f64; 6], verbatims: Verbatims) -> ThemeDef {
    ThemeDef {
        name,
        intended: "lucky_break",
        relevance,
        customer_volume: 0.6,
        customer_positive: 0.90,
        employee_rate: 0.008,
        employee_positive: 0.70,
        verbatims,
    }
}

// Relevance rows: [bank, insurance, retail, hotel, car_repair, utility].
/// The catalogue. The first [`SEED_THEMES`] entries are the seed article's six examples.
pub static THEMES: &[ThemeDef] = &[
    // ---- seed themes -------------------------------------------------------------------------
    ThemeDef {
        name: "same advisor throughout the project",
        intended: "win_win",
        relevance: [1.0, 1.0, 0.4, 0.2, 0.8, 0.6],
        customer_volume: 1.0,
        customer_positive: 0.90,
        employee_rate: 0.10,
        employee_positive: 0.92,
        verbatims: Verbatims {
            customer_positive: &[
                "Le même interlocuteur m'a accompagné sur tout mon projet",
                "J'ai eu la même conseillère du début à la fin, je n'ai jamais eu à me répéter",
                "Un seul contact pour tout mon dossier, c'est tellement plus simple",
            ],
            customer_negative: &[
                "On m'a changé trois fois d'interlocuteur en cours de projet",
                "À chaque appel je tombe sur quelqu'un de nouveau qui ne connaît pas mon dossier",
            ],
            employee_positive: &[
                "Le client m'apprécie et ne veut avoir affaire qu'à moi",
                "Une cliente a demandé que ce soit moi qui suive tout son dossier",
                "Un client m'a remercié de l'avoir suivi du début à la fin de son projet",
            ],
            employee_negative: &[
                "Le client refuse de parler à un collègue, même pendant mes congés",
                "Je récupère les dossiers de collègues partis sans aucune transmission",
            ],
        },
    },
    ThemeDef {
        name: "taken at my word on a product return",
        intended: "lucky_break",
        relevance: [0.0, 0.0, 1.0, 0.0, 0.3, 0.0],
        customer_volume: 0.8,
        customer_positive: 0.90,
        employee_rate: 0.012,
        employee_positive: 0.70,
        verbatims: Verbatims {
            customer_positive: &[
                "Le personnel me croit sur parole",
                "On a repris mon article sans me demander de me justifier",
                "Aucune question, aucun soupçon : mon retour a été accepté tout de suite",
            ],
            customer_negative: &[
                "On m'a demandé de prouver que le produit n'avait pas servi",
                "Pour un simple retour, j'ai dû argumenter pendant dix minutes",
            ],
            employee_positive: &[
                "J'ai repris l'article sans poser de question et la cliente est repartie ravie",
                "Un client m'a remercié de lui avoir fait confiance pour son retour",
            ],
            employee_negative: &[
                "Certains clients abusent des retours et on ne peut rien dire",
                "On doit accepter les retours même quand le produit a visiblement servi",
            ],
        },
    },
    ThemeDef {
        name: "commercial gesture confirmed by SMS and letter",
        intended: "pain",
        relevance: [1.0, 1.0, 0.5, 0.3, 0.5, 1.0],
        customer_volume: 0.8,
        customer_positive: 0.88,
        employee_rate: 0.10,
        employee_positive: 0.08,
        verbatims: Verbatims {
            customer_positive: &[
                "Le geste commercial qu'on m'a accordé a été confirmé par SMS et par courrier",
                "J'ai reçu un SMS puis une lettre qui confirmaient le geste commercial, c'est sérieux",
                "Le dédommagement promis a été confirmé par écrit, je me suis senti respecté",
            ],
            customer_negative: &[
                "Le geste commercial promis n'a jamais été confirmé",
                "J'attends toujours le courrier qui devait confirmer mon geste commercial",
            ],
            employee_positive: &[
                "Le client m'a remercié d'avoir confirmé son geste commercial par écrit",
                "La cliente a été rassurée de recevoir la confirmation par SMS",
            ],
            employee_negative: &[
                "Chaque confirmation de geste commercial me prend 25 minutes",
                "Je dois taper moi-même le SMS puis le courrier pour chaque geste commercial",
                "La double confirmation des gestes commerciaux me met en retard sur tous mes appels",
            ],
        },
    },
    ThemeDef {
        name: "suspicion of fraud on a claim",
        intended: "wrong_fight",
        relevance: [0.5, 1.0, 0.3, 0.0, 0.3, 0.2],
        customer_volume: 0.8,
        customer_positive: 0.10,
        employee_rate: 0.12,
        employee_positive: 0.90,
        verbatims: Verbatims {
            customer_positive: &[
                "Mon sinistre a été pris en charge sans aucune suspicion",
                "On m'a cru sans me réclamer de justificatifs inutiles",
            ],
            customer_negative: &[
                "Je n'aime pas cette suspicion. J'ai le sentiment d'être prise pour un voleur",
                "On m'a traité comme un fraudeur alors que je déclarais un simple sinistre",
                "Trois justificatifs pour un sinistre de 200 euros : on ne me fait pas confiance",
            ],
            employee_positive: &[
                "J'ai débusqué un fraudeur",
                "J'ai repéré une fausse déclaration et évité un paiement indu",
                "Grâce à mes vérifications, un dossier frauduleux a été bloqué",
            ],
            employee_negative: &[
                "Un client honnête s'est senti accusé quand je lui ai demandé des justificatifs",
                "Devoir soupçonner tout le monde me met mal à l'aise",
            ],
        },
    },
    ThemeDef {
        name: "no help carrying purchases to the car",
        intended: "blindness",
        relevance: [0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
        customer_volume: 0.9,
        customer_positive: 0.08,
        employee_rate: 0.006,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &[
                "Un vendeur m'a aidé à charger mes achats dans le coffre",
                "On a porté mes colis jusqu'à la voiture sans que j'aie à le demander",
            ],
            customer_negative: &[
                "Je n'ai aucune aide pour transporter mes achats jusqu'à ma voiture",
                "Personne ne m'a proposé de m'aider à charger mes sacs de ciment",
                "J'ai croisé trois vendeurs sur le parking, aucun n'a proposé son aide",
            ],
            employee_positive: &[
                "J'ai aidé un client à charger ses planches et il m'a remercié chaleureusement",
                "J'ai accompagné une cliente âgée jusqu'à sa voiture avec son chariot",
            ],
            employee_negative: &[
                "Je n'ai pas le temps d'accompagner les clients jusqu'au parking",
                "Un client m'a reproché de ne pas l'avoir aidé à charger sa voiture",
            ],
        },
    },
    ThemeDef {
        name: "booking for twin beds not honoured",
        intended: "dead_end",
        relevance: [0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
        customer_volume: 1.2,
        customer_positive: 0.10,
        employee_rate: 0.30,
        employee_positive: 0.05,
        verbatims: Verbatims {
            customer_positive: &[
                "Malgré l'erreur sur les lits, la réception a trouvé une solution",
                "On nous a surclassés quand la chambre à deux lits n'était pas prête",
            ],
            customer_negative: &[
                "Ma réservation en ligne pour une chambre avec deux lits séparés n'a pas été prise en compte",
                "Nous avions réservé deux lits séparés et on nous a donné un grand lit",
                "Arrivés tard, on nous a annoncé qu'il ne restait plus de chambre avec lits séparés",
            ],
            employee_positive: &[
                "J'ai trouvé une chambre à lits séparés pour deux collègues alors que l'hôtel était complet",
                "Des clients m'ont remercié d'avoir réglé leur problème de lits en cinq minutes",
            ],
            employee_negative: &[
                "C'est la dernière chambre disponible, je ne peux rien faire",
                "Les clients s'en prennent à moi pour une erreur de réservation qui ne vient pas de moi",
                "Le site de réservation ne transmet pas le type de lits et c'est la réception qui encaisse",
            ],
        },
    },
    // ---- win_win -----------------------------------------------------------------------------
    ThemeDef {
        name: "advisor called back as promised",
        intended: "win_win",
        relevance: [1.0, 1.0, 0.0, 0.2, 0.8, 1.0],
        customer_volume: 0.7,
        customer_positive: 0.85,
        employee_rate: 0.08,
        employee_positive: 0.85,
        verbatims: Verbatims {
            customer_positive: &[
                "Mon conseiller m'a rappelé le jour même, comme promis",
                "On m'avait dit qu'on me rappellerait avant midi, et c'est ce qui s'est passé",
            ],
            customer_negative: &[
                "J'attends toujours le rappel promis la semaine dernière",
                "On m'a promis un rappel qui n'est jamais venu",
            ],
            employee_positive: &[
                "J'ai rappelé le client à l'heure dite et il n'en revenait pas",
                "Une cliente m'a dit que j'étais le premier à vraiment la rappeler",
            ],
            employee_negative: &[
                "Je n'ai pas pu rappeler le client à temps à cause des réunions",
                "Les rappels promis par d'autres finissent tous sur mon bureau",
            ],
        },
    },
    ThemeDef {
        name: "warm welcome at reception",
        intended: "win_win",
        relevance: [0.5, 0.3, 0.8, 1.0, 0.8, 0.2],
        customer_volume: 1.0,
        customer_positive: 0.85,
        employee_rate: 0.08,
        employee_positive: 0.85,
        verbatims: Verbatims {
            customer_positive: &[
                "Accueil chaleureux dès mon arrivée",
                "On m'a reçu avec le sourire et en m'appelant par mon nom",
                "La personne de l'accueil a été adorable",
            ],
            customer_negative: &[
                "Accueil froid, on m'a à peine dit bonjour",
                "Personne à l'accueil pendant dix minutes",
            ],
            employee_positive: &[
                "Un habitué m'a dit que c'était grâce à moi qu'il revenait",
                "J'ai reconnu une cliente et elle était touchée que je me souvienne d'elle",
            ],
            employee_negative: &[
                "Je suis seul à l'accueil aux heures de pointe et je ne peux pas bien recevoir tout le monde",
                "On me reproche un accueil trop rapide alors que la file ne désemplit pas",
            ],
        },
    },
    // ---- lucky_break -------------------------------------------------------------------------
    lucky_break(
        "late checkout granted without asking",
        [0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
        Verbatims {
            customer_positive: &[
                "On m'a proposé de libérer la chambre plus tard sans que je le demande",
                "Départ tardif offert spontanément, quel confort",
            ],
            customer_negative: &[
                "On a refusé de me laisser la chambre une heure de plus",
                "Le départ tardif m'a été facturé sans prévenir",
            ],
            employee_positive: &[
                "J'ai offert un départ tardif à un client qui avait un vol le soir",
                "Une cliente m'a remercié pour l'heure de plus dans sa chambre",
            ],
            employee_negative: &[
                "Les départs tardifs désorganisent le ménage et on me le reproche",
                "Je dois refuser les départs tardifs quand l'hôtel est plein",
            ],
        },
    ),
    lucky_break(
        "fees waived spontaneously",
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.4],
        Verbatims {
            customer_positive: &[
                "Mon conseiller a annulé les frais de découvert sans que je le demande",
                "On m'a remboursé des frais avant même que je réclame",
            ],
            customer_negative: &[
                "On m'a facturé des frais pour un incident qui n'était pas de mon fait",
                "Impossible de faire annuler des frais pourtant injustifiés",
            ],
            employee_positive: &[
                "J'ai annulé des frais à un client en difficulté et il m'a remercié",
                "Rembourser des frais de moi-même m'a permis de regagner la confiance d'un client",
            ],
            employee_negative: &[
                "Je n'ai plus la main pour annuler des frais, il faut une validation du siège",
                "Les clients réclament des remboursements de frais que je ne peux pas accorder",
            ],
        },
    ),
    // ---- pain --------------------------------------------------------------------------------
    ThemeDef {
        name: "same-day claim settlement",
        intended: "pain",
        relevance: [0.0, 1.0, 0.0, 0.0, 0.3, 0.0],
        customer_volume: 0.7,
        customer_positive: 0.88,
        employee_rate: 0.15,
        employee_positive: 0.15,
        verbatims: Verbatims {
            customer_positive: &[
                "Mon sinistre a été réglé dans la journée",
                "Indemnisé le jour même, je n'en revenais pas",
            ],
            customer_negative: &[
                "Le règlement devait être rapide, j'attends depuis un mois",
                "On m'avait promis un règlement le jour même, il a fallu trois relances",
            ],
            employee_positive: &[
                "J'ai réglé un sinistre dans la journée et l'assuré était soulagé",
                "Une cliente m'a écrit pour me remercier de la rapidité du règlement",
            ],
            employee_negative: &[
                "Pour tenir le règlement dans la journée, je fais des heures supplémentaires tous les soirs",
                "L'objectif de règlement le jour même est intenable avec les effectifs actuels",
            ],
        },
    },
    ThemeDef {
        name: "one-hour delivery slot",
        intended: "pain",
        relevance: [0.0, 0.0, 1.0, 0.0, 0.3, 0.5],
        customer_volume: 0.6,
        customer_positive: 0.85,
        employee_rate: 0.12,
        employee_positive: 0.15,
        verbatims: Verbatims {
            customer_positive: &[
                "La livraison est arrivée pile dans le créneau d'une heure",
                "Un créneau d'une heure respecté, enfin une livraison sans perdre sa journée",
            ],
            customer_negative: &[
                "Le créneau d'une heure n'a pas été respecté",
                "J'ai attendu toute la matinée malgré le créneau annoncé",
            ],
            employee_positive: &[
                "Le client était ravi que la livraison arrive à l'heure dite",
                "J'ai tenu un créneau très serré et la cliente m'a remercié",
            ],
            employee_negative: &[
                "Les créneaux d'une heure sont impossibles à tenir avec les tournées actuelles",
                "Je passe mes journées à réorganiser les créneaux de livraison au téléphone",
            ],
        },
    },
    // ---- wrong_fight -------------------------------------------------------------------------
    ThemeDef {
        name: "strict identity checks at the counter",
        intended: "wrong_fight",
        relevance: [1.0, 0.4, 0.0, 0.0, 0.0, 0.0],
        customer_volume: 0.6,
        customer_positive: 0.15,
        employee_rate: 0.15,
        employee_positive: 0.85,
        verbatims: Verbatims {
            customer_positive: &[
                "Les vérifications d'identité me rassurent sur la sécurité de mon compte",
                "Contrôle rigoureux mais expliqué avec courtoisie",
            ],
            customer_negative: &[
                "On m'a demandé trois pièces d'identité alors que je suis client depuis vingt ans",
                "Traité comme un suspect pour retirer mon propre argent",
            ],
            employee_positive: &[
                "J'ai bloqué une tentative d'usurpation d'identité au guichet",
                "Mes contrôles ont évité qu'un compte soit vidé par un escroc",
            ],
            employee_negative: &[
                "Un client fidèle s'est fâché quand je lui ai demandé ses papiers",
                "Les procédures de contrôle me font passer pour un policier",
            ],
        },
    },
    ThemeDef {
        name: "extra work proposed during servicing",
        intended: "wrong_fight",
        relevance: [0.0, 0.0, 0.3, 0.0, 1.0, 0.3],
        customer_volume: 0.7,
        customer_positive: 0.15,
        employee_rate: 0.15,
        employee_positive: 0.85,
        verbatims: Verbatims {
            customer_positive: &[
                "On m'a signalé une usure avant qu'elle ne devienne dangereuse",
                "Bon conseil sur les travaux à prévoir, sans aucune pression",
            ],
            customer_negative: &[
                "Je venais pour une vidange et on a essayé de me vendre quatre pneus",
                "Chaque révision se transforme en liste de travaux supplémentaires",
            ],
            employee_positive: &[
                "J'ai vendu un kit de distribution en plus de la révision, record du mois",
                "J'ai détecté des travaux à faire et le client a tout accepté",
            ],
            employee_negative: &[
                "Le client m'a accusé de vouloir gonfler la facture",
                "On me pousse à proposer des travaux que je ne juge pas urgents",
            ],
        },
    },
    // ---- blindness ---------------------------------------------------------------------------
    ThemeDef {
        name: "work not explained after the technician's visit",
        intended: "blindness",
        relevance: [0.0, 0.0, 0.0, 0.0, 0.8, 1.0],
        customer_volume: 0.6,
        customer_positive: 0.12,
        employee_rate: 0.006,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &[
                "Le technicien m'a expliqué tout ce qu'il avait fait",
                "On m'a montré les pièces changées et expliqué pourquoi",
            ],
            customer_negative: &[
                "Le technicien est reparti sans rien m'expliquer",
                "Je ne sais toujours pas ce qui a été fait pendant l'entretien",
                "Facture reçue, mais aucune explication sur l'intervention",
            ],
            employee_positive: &[
                "J'ai pris le temps d'expliquer l'intervention et le client a apprécié",
                "Un client m'a remercié de lui avoir montré la pièce usée",
            ],
            employee_negative: &[
                "On ne me laisse pas le temps d'expliquer mes interventions",
                "Le client m'a rappelé parce qu'il n'avait pas compris la facture",
            ],
        },
    },
    ThemeDef {
        name: "staff chatting while customers wait",
        intended: "blindness",
        relevance: [0.3, 0.0, 1.0, 0.6, 0.0, 0.0],
        customer_volume: 0.6,
        customer_positive: 0.10,
        employee_rate: 0.006,
        employee_positive: 0.40,
        verbatims: Verbatims {
            customer_positive: &[
                "Le personnel a interrompu sa conversation dès que je suis arrivé",
                "Équipe attentive, personne ne bavardait dans son coin",
            ],
            customer_negative: &[
                "Deux vendeurs discutaient entre eux pendant que j'attendais",
                "J'ai attendu que les employés finissent leur conversation pour être servi",
            ],
            employee_positive: &[
                "J'ai laissé ma collègue pour servir un client qui attendait et il l'a remarqué",
                "Un client a apprécié que je m'interrompe tout de suite pour lui",
            ],
            employee_negative: &[
                "On nous reproche de parler entre nous alors que c'est pour organiser le travail",
                "Un client s'est plaint alors que je faisais le point avec ma responsable",
            ],
        },
    },
    ThemeDef {
        name: "staff answering I don't know",
        intended: "blindness",
        relevance: [0.3, 0.0, 1.0, 0.0, 0.0, 0.5],
        customer_volume: 0.6,
        customer_positive: 0.10,
        employee_rate: 0.008,
        employee_positive: 0.30,
        verbatims: Verbatims {
            customer_positive: &[
                "Le vendeur ne savait pas mais il est allé chercher la réponse",
                "Même sans connaître la réponse, on m'a trouvé la bonne personne",
            ],
            customer_negative: &[
                "À ma question, le caissier a répondu « je ne sais pas », et c'est tout",
                "Personne n'a su me dire quand le produit serait disponible",
                "« Je ne sais pas », c'est tout ce qu'on m'a répondu",
            ],
            employee_positive: &[
                "J'ai trouvé la réponse à la question d'un client en appelant le service technique",
                "Un client m'a remercié d'avoir pris le temps de chercher l'information",
            ],
            employee_negative: &[
                "On ne nous informe de rien, je ne peux pas répondre aux clients",
                "J'apprends les nouveautés par les clients eux-mêmes",
            ],
        },
    },
    // ---- dead_end ----------------------------------------------------------------------------
    ThemeDef {
        name: "out of stock with no restocking date",
        intended: "dead_end",
        relevance: [0.0, 0.0, 1.0, 0.0, 0.6, 0.0],
        customer_volume: 0.8,
        customer_positive: 0.10,
        employee_rate: 0.15,
        employee_positive: 0.12,
        verbatims: Verbatims {
            customer_positive: &[
                "On m'a prévenu dès que le produit est revenu en stock",
                "Le vendeur a commandé l'article et m'a donné une date fiable",
            ],
            customer_negative: &[
                "Produit en rupture et personne ne sait quand il reviendra",
                "Troisième visite pour rien, toujours en rupture",
            ],
            employee_positive: &[
                "J'ai trouvé le produit dans un autre magasin et le client est venu le chercher le jour même",
                "J'ai pu réserver le dernier article pour une cliente",
            ],
            employee_negative: &[
                "Les clients s'énervent à cause des ruptures et je n'ai aucune date à leur donner",
                "Je ne suis jamais informé des ruptures de stock avant les clients",
            ],
        },
    },
    ThemeDef {
        name: "no appointment available for three weeks",
        intended: "dead_end",
        relevance: [0.6, 0.3, 0.0, 0.0, 1.0, 0.3],
        customer_volume: 0.7,
        customer_positive: 0.12,
        employee_rate: 0.10,
        employee_positive: 0.15,
        verbatims: Verbatims {
            customer_positive: &[
                "On m'a trouvé un rendez-vous dès le lendemain",
                "Rendez-vous obtenu rapidement malgré la période chargée",
            ],
            customer_negative: &[
                "Aucun rendez-vous avant trois semaines",
                "Pour une simple réparation, il faut attendre près d'un mois",
            ],
            employee_positive: &[
                "J'ai réussi à caser un client en urgence entre deux rendez-vous",
                "Un client était ravi que je lui trouve un créneau le jour même",
            ],
            employee_negative: &[
                "Le planning est plein pour trois semaines et les clients s'en prennent à moi",
                "Je n'ai aucun moyen de proposer un rendez-vous plus tôt",
            ],
        },
    },
    ThemeDef {
        name: "outage without prior notice",
        intended: "dead_end",
        relevance: [0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        customer_volume: 0.9,
        customer_positive: 0.08,
        employee_rate: 0.20,
        employee_positive: 0.12,
        verbatims: Verbatims {
            customer_positive: &[
                "J'ai été prévenu de la coupure plusieurs jours à l'avance",
                "Coupure annoncée par SMS avec l'heure de rétablissement, parfait",
            ],
            customer_negative: &[
                "Coupure sans aucun avertissement, en plein télétravail",
                "Personne ne m'a prévenu de l'interruption du service",
            ],
            employee_positive: &[
                "J'ai pu donner au client une heure de rétablissement fiable",
                "Un client m'a remercié de l'avoir tenu informé pendant la coupure",
            ],
            employee_negative: &[
                "Les clients m'appellent pour une coupure dont je n'ai pas été informé",
                "Je n'ai aucune information sur la durée des coupures à donner aux clients",
            ],
        },
    },
    ThemeDef {
        name: "claim refused under the fine print",
        intended: "dead_end",
        relevance: [0.3, 1.0, 0.0, 0.0, 0.0, 0.0],
        customer_volume: 0.7,
        customer_positive: 0.10,
        employee_rate: 0.15,
        employee_positive: 0.12,
        verbatims: Verbatims {
            customer_positive: &[
                "Mon conseiller m'a expliqué clairement ce que couvrait mon contrat",
                "Le refus était justifié et on a pris le temps de me l'expliquer",
            ],
            customer_negative: &[
                "Sinistre refusé à cause d'une clause que personne ne m'avait expliquée",
                "On m'oppose les petites lignes du contrat pour ne pas m'indemniser",
            ],
            employee_positive: &[
                "J'ai trouvé une garantie qui couvrait finalement le sinistre du client",
                "J'ai pu expliquer un refus avec tact et le client l'a compris",
            ],
            employee_negative: &[
                "Je dois annoncer des refus de prise en charge sans aucune marge de manœuvre",
                "Les clients découvrent les exclusions au moment du sinistre et c'est moi qui encaisse",
            ],
        },
    },
    // ---- neutral (both axes about 50/50) -----------------------------------------------------
    ThemeDef {
        name: "waiting time at the checkout",
        intended: "neutral",
        relevance: [0.5, 0.0, 1.0, 0.5, 0.3, 0.3],
        customer_volume: 0.8,
        customer_positive: 0.50,
        employee_rate: 0.06,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &[
                "Passage en caisse rapide, aucune attente",
                "Une nouvelle caisse a été ouverte dès que la file s'est allongée",
            ],
            customer_negative: &[
                "Vingt minutes d'attente en caisse",
                "Une seule caisse ouverte un samedi après-midi",
            ],
            employee_positive: &[
                "J'ai ouvert une caisse supplémentaire et les clients m'ont remercié",
                "Les clients ont apprécié que j'appelle du renfort en caisse",
            ],
            employee_negative: &[
                "Je suis seul en caisse aux heures de pointe",
                "Les clients s'impatientent et me le font payer",
            ],
        },
    },
    ThemeDef {
        name: "price of the service",
        intended: "neutral",
        relevance: [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        customer_volume: 1.0,
        customer_positive: 0.50,
        employee_rate: 0.03,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &[
                "Tarif raisonnable pour la qualité du service",
                "Bon rapport qualité-prix",
            ],
            customer_negative: &[
                "Trop cher pour ce que c'est",
                "Les tarifs ont encore augmenté sans explication",
            ],
            employee_positive: &[
                "J'ai trouvé une offre moins chère pour un client et il était très content",
                "Après mes explications, le client a trouvé notre prix justifié",
            ],
            employee_negative: &[
                "Je dois justifier des hausses de prix que je ne comprends pas moi-même",
                "Les clients comparent nos prix avec internet et je n'ai rien à répondre",
            ],
        },
    },
    ThemeDef {
        name: "opening hours",
        intended: "neutral",
        relevance: [0.6, 0.4, 0.6, 0.0, 0.6, 0.6],
        customer_volume: 0.6,
        customer_positive: 0.50,
        employee_rate: 0.004,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &[
                "Ouvert le samedi, très pratique",
                "Horaires adaptés à ceux qui travaillent",
            ],
            customer_negative: &[
                "Fermé entre midi et deux, impossible d'y aller",
                "Horaires d'ouverture trop restreints",
            ],
            employee_positive: &[
                "J'ai reçu un client juste après la fermeture et il m'a remercié",
                "Les nouveaux horaires du samedi plaisent aux clients",
            ],
            employee_negative: &[
                "Les clients arrivent à la fermeture et s'énervent quand on ferme",
                "On ferme trop tôt pour les clients qui travaillent et ils me le reprochent",
            ],
        },
    },
    ThemeDef {
        name: "mobile app",
        intended: "neutral",
        relevance: [1.0, 0.8, 0.3, 0.0, 0.0, 0.8],
        customer_volume: 0.8,
        customer_positive: 0.50,
        employee_rate: 0.05,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &[
                "Application pratique, je fais tout depuis mon téléphone",
                "L'appli est claire et rapide",
            ],
            customer_negative: &[
                "L'application plante à chaque mise à jour",
                "Impossible de retrouver mes documents dans l'appli",
            ],
            employee_positive: &[
                "J'ai aidé une cliente à installer l'application et elle était ravie",
                "Grâce à l'appli, un client gère tout seul ses démarches et il en est content",
            ],
            employee_negative: &[
                "Les clients viennent se plaindre de l'application et je n'y peux rien",
                "Je ne connais pas l'application mieux que les clients",
            ],
        },
    },
    ThemeDef {
        name: "breakfast",
        intended: "neutral",
        relevance: [0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
        customer_volume: 0.8,
        customer_positive: 0.50,
        employee_rate: 0.10,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &[
                "Petit-déjeuner copieux et varié",
                "Excellent petit-déjeuner avec des produits locaux",
            ],
            customer_negative: &[
                "Plus rien au buffet du petit-déjeuner après 9 h",
                "Petit-déjeuner cher pour ce qui est proposé",
            ],
            employee_positive: &[
                "Des clients ont adoré le petit-déjeuner et sont venus me le dire",
                "J'ai préparé un petit-déjeuner sans gluten à la demande d'une cliente, elle était touchée",
            ],
            employee_negative: &[
                "Le buffet n'est pas réapprovisionné et les clients s'en prennent à moi",
                "Je dois gérer seul le petit-déjeuner et la réception en même temps",
            ],
        },
    },
    ThemeDef {
        name: "cleanliness of the premises",
        intended: "neutral",
        relevance: [0.0, 0.0, 0.5, 0.8, 0.4, 0.0],
        customer_volume: 0.6,
        customer_positive: 0.50,
        employee_rate: 0.03,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &["Locaux impeccables", "Tout était propre et bien rangé"],
            customer_negative: &["Toilettes sales et sans papier", "Locaux mal entretenus"],
            employee_positive: &[
                "Un client a remarqué la propreté de l'atelier et m'en a félicité",
                "Des clients nous ont complimentés sur la tenue des lieux",
            ],
            employee_negative: &[
                "Le ménage n'est pas fait et ce sont les clients qui le remarquent",
                "On me reproche la saleté des toilettes alors que ce n'est pas mon travail",
            ],
        },
    },
    // ---- mixed (one axis polarised, the other about 50/50) -----------------------------------
    ThemeDef {
        name: "bill clarity",
        intended: "mixed",
        relevance: [0.6, 0.6, 0.0, 0.0, 0.3, 0.6],
        customer_volume: 0.6,
        customer_positive: 0.20,
        employee_rate: 0.10,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &["Facture claire et détaillée", "Enfin une facture que je comprends"],
            customer_negative: &[
                "Facture incompréhensible",
                "Des lignes sur ma facture que personne ne sait m'expliquer",
            ],
            employee_positive: &[
                "J'ai expliqué sa facture à un client et il est reparti rassuré",
                "J'ai repéré une erreur de facturation et le client m'a remercié",
            ],
            employee_negative: &[
                "Je passe mes journées à expliquer des factures illisibles",
                "Les clients m'appellent pour des erreurs de facturation que je ne peux pas corriger",
            ],
        },
    },
    ThemeDef {
        name: "quality of the repair",
        intended: "mixed",
        relevance: [0.0, 0.0, 0.0, 0.0, 1.0, 0.2],
        customer_volume: 0.8,
        customer_positive: 0.80,
        employee_rate: 0.20,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &[
                "Réparation impeccable, la voiture roule comme neuve",
                "Le problème a été réglé du premier coup",
            ],
            customer_negative: &[
                "Il a fallu revenir deux fois pour la même panne",
                "Réparation bâclée",
            ],
            employee_positive: &[
                "J'ai trouvé une panne que deux autres garages avaient ratée",
                "Le client est revenu me dire que tout fonctionnait parfaitement",
            ],
            employee_negative: &[
                "Le client est revenu pour la même panne, faute de pièce d'origine",
                "On me demande d'aller trop vite et la qualité s'en ressent",
            ],
        },
    },
    ThemeDef {
        name: "technician on time for the home visit",
        intended: "mixed",
        relevance: [0.0, 0.0, 0.0, 0.0, 0.5, 1.0],
        customer_volume: 0.6,
        customer_positive: 0.85,
        employee_rate: 0.12,
        employee_positive: 0.50,
        verbatims: Verbatims {
            customer_positive: &[
                "Le technicien est arrivé à l'heure annoncée",
                "Ponctuel et efficace",
            ],
            customer_negative: &[
                "J'ai posé une journée de congé et le technicien n'est jamais venu",
                "Technicien arrivé avec trois heures de retard",
            ],
            employee_positive: &[
                "Le client était surpris que j'arrive pile à l'heure",
                "J'ai prévenu le client de mon arrivée et il a apprécié",
            ],
            employee_negative: &[
                "Mes tournées sont impossibles à tenir, j'arrive toujours en retard",
                "Le client était furieux de mon retard, dû au planning",
            ],
        },
    },
];
