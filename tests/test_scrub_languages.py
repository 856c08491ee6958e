"""What scrubbing takes out of a question before the person is asked to share
it (issue 29), in the other languages people in Louisville write to the
assistant: French, Arabic, Dari, Nepali (Devanagari and romanized), Swahili,
Somali and Ukrainian. Realistic phone typing: lower case, accents and hamza
dropped, dialect forms. The word lists are in policy_assistant/scrub_words.yml.

Each language has dates of birth (a day with a month's name, and the year after
"born"), and words that begin a sentence: a name before a verb is taken out
("Moussa a été arrêté"), a known or everyday word before one is kept ("Louisville
a...", "Це не..."). The xfail tests at the end are what scrub.py gets wrong in
these languages and no word list can mend; each says why."""

import pytest

from policy_assistant.scrub import REMOVED, scrub

R = REMOVED
ZWNJ = "\u200c"  # zero-width non-joiner, inside Dari words ("my aunt" = خاله + ZWNJ + ام)

FRENCH = [
    pytest.param(
        "Mon cousin Jean-Pierre a été arrêté par la police hier, est-ce qu'ils vont appeler ICE ?",
        f"Mon cousin {R} a été arrêté par la police hier, est-ce qu'ils vont appeler ICE ?",
        id="fr-family-capitalised",
    ),
    pytest.param(
        "mon frere moussa travaille a Louisville sans papiers",
        f"mon frere {R} travaille a Louisville sans papiers",
        id="fr-family-no-accents",
    ),
    pytest.param(
        "ma soeur sappelle aminata et elle n'a pas de papiers",
        f"ma soeur sappelle {R} et elle n'a pas de papiers",
        id="fr-called-no-apostrophe",
    ),
    pytest.param(
        "je m'appelle grace, la police peut me demander mon statut ?",
        f"je m'appelle {R}, la police peut me demander mon statut ?",
        id="fr-my-name-is",
    ),
    pytest.param(
        "mon voisin M. Dupont a appelé la police",
        f"mon voisin M. {R} a appelé la police",
        id="fr-title",
    ),
    pytest.param(
        "mon mari a été contrôlé sur Dixie Highway, il na pas de papiers",
        "mon mari a été contrôlé sur Dixie Highway, il na pas de papiers",
        id="fr-verb-after-cue",
    ),
    pytest.param(
        "mon frère n a pas de papiers, est ce que la police va le signaler",
        "mon frère n a pas de papiers, est ce que la police va le signaler",
        id="fr-negation-after-cue",
    ),
    pytest.param("Appelez-moi au 502-555-0142 svp", f"Appelez-moi au {R} svp", id="fr-phone"),
    pytest.param(
        "Moussa a été arrêté hier, que faire ?", f"{R} a été arrêté hier, que faire ?", id="fr-name-before-verb"
    ),
    pytest.param(
        "Aminata ne travaille plus, elle a peur", f"{R} ne travaille plus, elle a peur", id="fr-name-before-negation"
    ),
    pytest.param(
        "je suis née le 3 mars 1990, est-ce que ICE peut voir ça ?",
        f"je suis née le {R}, est-ce que ICE peut voir ça ?",
        id="fr-date-of-birth",
    ),
    pytest.param("mon fils est né en 2012 au Congo", f"mon fils est {R} au Congo", id="fr-born-year"),
]

ARABIC = [
    pytest.param(
        "أخي محمد اعتقلته الشرطة أمس في لويفيل، هل سيسلمونه لـ ICE؟",
        f"أخي {R} اعتقلته الشرطة أمس في لويفيل، هل سيسلمونه لـ ICE؟",
        id="ar-family",
    ),
    pytest.param("اخويا علي مسكوه الشرطة امبارح", f"اخويا {R} مسكوه الشرطة امبارح", id="ar-family-dialect"),
    pytest.param("ابن عمي اسمه احمد وليس عنده اوراق", f"ابن عمي اسمه {R} وليس عنده اوراق", id="ar-his-name-is"),
    pytest.param("انا اسمي فاطمة وزوجي يعمل في مطعم", f"انا اسمي {R} وزوجي يعمل في مطعم", id="ar-my-name-is"),
    pytest.param("مرحبا أنا محمد من العراق", f"مرحبا أنا {R} من العراق", id="ar-i-am"),
    pytest.param(
        "زوجي كان يسوق الى العمل واوقفته الشرطة، هل يسألونه عن اوراقه؟",
        "زوجي كان يسوق الى العمل واوقفته الشرطة، هل يسألونه عن اوراقه؟",
        id="ar-verb-after-cue",
    ),
    pytest.param(
        "أنا خائفة من الشرطة لأني لا أملك أوراق",
        "أنا خائفة من الشرطة لأني لا أملك أوراق",
        id="ar-i-am-afraid",
    ),
    pytest.param("رقم هاتفي ٥٠٢٥٥٥٠١٤٢ اتصلوا بي", f"رقم هاتفي {R} اتصلوا بي", id="ar-phone"),
    pytest.param("رقم هاتفي ٥٠٢-٥٥٥-٠١٤٢", f"رقم هاتفي {R}", id="ar-phone-dashes"),
    pytest.param("أخي محمّد اعتقلته الشرطة", f"أخي {R} اعتقلته الشرطة", id="ar-name-with-shadda"),
    pytest.param("ولدت في ١٢ مارس ١٩٩٠", f"ولدت في {R}", id="ar-date-of-birth"),
    pytest.param("تاريخ ميلادي ٣ كانون الثاني ١٩٩٢", f"تاريخ ميلادي {R}", id="ar-date-of-birth-levantine"),
    pytest.param("ابني ولد في ١٥ ايار ٢٠١٠ في سوريا", f"ابني ولد في {R} في سوريا", id="ar-date-of-birth-son"),
    pytest.param("انا من مواليد ١٩٨٥ في بغداد", f"انا من {R} في بغداد", id="ar-born-year"),
]

DARI = [
    pytest.param(
        "پسر کاکایم احمد را دیروز پولیس گرفت، آیا آیس او را دیپورت می\u200cکند؟",
        f"پسر کاکایم {R} را دیروز پولیس گرفت، آیا آیس او را دیپورت می\u200cکند؟",
        id="prs-family",
    ),
    pytest.param(
        f"همسایه{ZWNJ}ام نسرین می{ZWNJ}ترسد به پولیس زنگ بزند",
        f"همسایه{ZWNJ}ام {R} می{ZWNJ}ترسد به پولیس زنگ بزند",
        id="prs-family-zwnj",
    ),
    pytest.param("پسر كاكايم احمد را گرفتند", f"پسر كاكايم {R} را گرفتند", id="prs-family-arabic-keyboard"),
    pytest.param("سلام، من فریده هستم و کاغذ ندارم", f"سلام، من {R} هستم و کاغذ ندارم", id="prs-i-am"),
    pytest.param(
        "اسمش کریم است و در لوئیزویل زندگی میکند",
        f"اسمش {R} است و در لوئیزویل زندگی میکند",
        id="prs-his-name-is",
    ),
    pytest.param(
        "برادرم در لوئیزویل کار میکند و مدارک ندارد، آیا پولیس از او میپرسد؟",
        "برادرم در لوئیزویل کار میکند و مدارک ندارد، آیا پولیس از او میپرسد؟",
        id="prs-verb-after-cue",
    ),
    pytest.param(
        "من از پولیس میترسم چون کاغذ ندارم",
        "من از پولیس میترسم چون کاغذ ندارم",
        id="prs-i-am-afraid",
    ),
    pytest.param("شماره تیلفونم ۵۰۲۵۵۵۰۱۴۲ است", f"شماره تیلفونم {R} است", id="prs-phone"),
    pytest.param("شماره من ۵۰۲ ۵۵۵ ۰۱۴۲ است", f"شماره من {R} است", id="prs-phone-spaces"),
    pytest.param("من متولد ۱۵ حمل ۱۳۶۹ هستم", f"من متولد {R} هستم", id="prs-date-of-birth-solar"),
    pytest.param("تاریخ تولدم ۳ جنوری ۱۹۹۰ است", f"تاریخ تولدم {R} است", id="prs-date-of-birth-western"),
    pytest.param("متولد ۱۹۹۰ هستم و کاغذ ندارم", f"{R} هستم و کاغذ ندارم", id="prs-born-year"),
]

NEPALI = [
    pytest.param(
        "mero dai ram lai police le samatyo, ICE ma pathaucha?",
        f"mero dai {R} lai police le samatyo, ICE ma pathaucha?",
        id="ne-family-romanized",
    ),
    pytest.param(
        "meri didi gita le kaam garchhin, unko kagaj chaina",
        f"meri didi {R} le kaam garchhin, unko kagaj chaina",
        id="ne-family-romanized-feminine",
    ),
    # "ho" ("is") is not a keep word, since Ho is a name: it goes with the name
    pytest.param("mero naam sita ho, mero kagaj chaina", f"mero naam {R}, mero kagaj chaina", id="ne-my-name-is"),
    pytest.param(
        "mero bhai pani darauchha, police le kagaj sodhchha?",
        "mero bhai pani darauchha, police le kagaj sodhchha?",
        id="ne-verb-after-cue",
    ),
    pytest.param("मेरो नम्बर ९८४१२३४५६७ हो", f"मेरो नम्बर {R} हो", id="ne-phone-devanagari"),
    pytest.param("मेरो दाइ पनि डराउनुहुन्छ", "मेरो दाइ पनि डराउनुहुन्छ", id="ne-verb-after-cue-devanagari"),
    pytest.param("मेरो दाइ राम लाई प्रहरीले समात्यो", f"मेरो दाइ {R} लाई प्रहरीले समात्यो", id="ne-family"),
    pytest.param("मेरो नाम सीता हो", f"मेरो नाम {R} हो", id="ne-my-name-is"),
    pytest.param("उसको नाम सुनिता हो, उनीसँग कागज छैन", f"उसको नाम {R} हो, उनीसँग कागज छैन", id="ne-her-name-is"),
    pytest.param(
        "Ram le kaam garchha, police le samatyo bhane ke hunchha?",
        f"{R} le kaam garchha, police le samatyo bhane ke hunchha?",
        id="ne-name-before-postposition-romanized",
    ),
    pytest.param("मेरो जन्म मिति २०४७ बैशाख १५ हो", f"मेरो {R} हो", id="ne-date-of-birth-bikram-sambat"),
    pytest.param(
        "प्रहरीले १५ जनवरी २०२३ मा मेरो दाइलाई समात्यो",
        f"प्रहरीले {R} मा मेरो दाइलाई समात्यो",
        id="ne-date-english-month",
    ),
    pytest.param("मेरो जन्म सन् १९९० मा भएको हो", f"मेरो {R} मा भएको हो", id="ne-born-year"),
    pytest.param("mero janma miti 15 baisakh 2047 ho", f"mero janma miti {R} ho", id="ne-date-of-birth-romanized"),
    pytest.param("mero janma 1992 ma bhayo", f"mero {R} ma bhayo", id="ne-born-year-romanized"),
]

SWAHILI = [
    pytest.param(
        "Kaka yangu Juma alikamatwa na polisi jana, je watampeleka ICE?",
        f"Kaka yangu {R} alikamatwa na polisi jana, je watampeleka ICE?",
        id="sw-family",
    ),
    pytest.param(
        "binamu yangu anaitwa neema na hana karatasi",
        f"binamu yangu anaitwa {R} na hana karatasi",
        id="sw-called",
    ),
    pytest.param(
        "jina langu ni furaha, naogopa kupiga simu polisi",
        f"jina langu ni {R}, naogopa kupiga simu polisi",
        id="sw-my-name-is",
    ),
    pytest.param(
        "mume wangu alisimamishwa na polisi akiendesha gari",
        "mume wangu alisimamishwa na polisi akiendesha gari",
        id="sw-verb-after-cue",
    ),
    pytest.param(
        "mimi ni mkimbizi kutoka Kongo, je polisi wanaweza kuniuliza karatasi?",
        "mimi ni mkimbizi kutoka Kongo, je polisi wanaweza kuniuliza karatasi?",
        id="sw-i-am-a-refugee",
    ),
    pytest.param("nipigie 502 555 0142 tafadhali", f"nipigie {R} tafadhali", id="sw-phone"),
    pytest.param("Juma alikamatwa jana", f"{R} alikamatwa jana", id="sw-name-before-verb"),
    # "Jana" is "yesterday" and a name: before a verb it is taken out
    pytest.param("Jana alikamatwa na polisi", f"{R} alikamatwa na polisi", id="sw-yesterday-is-a-name-too"),
    pytest.param("nilizaliwa tarehe 3 Machi 1990", f"nilizaliwa tarehe {R}", id="sw-date-of-birth"),
    pytest.param(
        "nilizaliwa tarehe 3 mwezi wa tatu 1990", f"nilizaliwa tarehe {R}", id="sw-date-of-birth-month-number"
    ),
    pytest.param("nilizaliwa mwaka 1990 Kongo", f"{R} Kongo", id="sw-born-year"),
]

SOMALI = [
    pytest.param(
        "Walaalkay Cali ayaa booliska u xireen shalay, ma u gudbin doonaan ICE?",
        f"Walaalkay {R} ayaa booliska u xireen shalay, ma u gudbin doonaan ICE?",
        id="so-family",
    ),
    pytest.param(
        "Walaashay oo la yiraahdo Xaawo ayaa la qabtay",
        f"Walaashay oo la yiraahdo {R} ayaa la qabtay",
        id="so-called",
    ),
    pytest.param(
        "magaciisu waa maxamed mana haysto warqado",
        f"magaciisu waa {R} mana haysto warqado",
        id="so-his-name-is",
    ),
    pytest.param(
        "magacaygu waa hodan, ma i weydiin karaan sharcigayga?",
        f"magacaygu waa {R}, ma i weydiin karaan sharcigayga?",
        id="so-my-name-is",
    ),
    pytest.param(
        "ninkayga wuu shaqeeyaa laakiin sharci ma haysto",
        "ninkayga wuu shaqeeyaa laakiin sharci ma haysto",
        id="so-verb-after-cue",
    ),
    pytest.param("i soo wac 502-555-0142", f"i soo wac {R}", id="so-phone"),
    pytest.param("Cali waa la xiray", f"{R} waa la xiray", id="so-name-before-verb"),
    pytest.param("Xaawo way baqaysaa", f"{R} way baqaysaa", id="so-name-before-verb-feminine"),
    pytest.param("Waxaan dhashay 15 Janaayo 1990", f"Waxaan dhashay {R}", id="so-date-of-birth"),
    # the born word goes with the year, as "i was born in 1985" keeps "i was"
    pytest.param("waxaan dhashay 1990", f"waxaan {R}", id="so-born-year"),
]

UKRAINIAN = [
    pytest.param(
        "Мого брата Андрія затримала поліція вчора, чи передадуть його ICE?",
        f"Мого брата {R} затримала поліція вчора, чи передадуть його ICE?",
        id="uk-family-accusative",
    ),
    pytest.param("моя сестра оксана не має документів", f"моя сестра {R} не має документів", id="uk-family"),
    pytest.param(
        "мене звати олена, я боюся дзвонити в поліцію",
        f"мене звати {R}, я боюся дзвонити в поліцію",
        id="uk-my-name-is",
    ),
    pytest.param(
        "його звати Тарас і він працює на складі",
        f"його звати {R} і він працює на складі",
        id="uk-his-name-is",
    ),
    # a city written with a capital is taken out too, as in English
    pytest.param("меня зовут Ирина, я из Харькова", f"меня зовут {R}, я из {R}", id="uk-russian"),
    pytest.param(
        "мій чоловік працює в Луїсвіллі і має TPS",
        "мій чоловік працює в Луїсвіллі і має TPS",
        id="uk-verb-after-cue",
    ),
    pytest.param("я не знаю що робити", "я не знаю що робити", id="uk-i-then-verb"),
    pytest.param("мій номер +1 502 555 0142", f"мій номер {R}", id="uk-phone"),
    pytest.param("Андрія затримали вчора біля дому", f"{R} затримали вчора біля дому", id="uk-name-before-verb"),
    pytest.param("Олена не має документів", f"{R} не має документів", id="uk-name-before-negation"),
    pytest.param("Андрей не имеет документов", f"{R} не имеет документов", id="uk-name-before-verb-russian"),
    pytest.param("я народилася 3 березня 1990", f"я народилася {R}", id="uk-date-of-birth"),
    pytest.param(
        "Меня зовут Ирина, я родилась 5 мая 1988", f"Меня зовут {R}, я родилась {R}", id="uk-date-of-birth-russian"
    ),
    pytest.param("Я народився в 1990 році в Харкові", f"Я {R} році в {R}", id="uk-born-year"),
]


@pytest.mark.parametrize("message,kept", [*FRENCH, *ARABIC, *DARI, *NEPALI, *SWAHILI, *SOMALI, *UKRAINIAN])
def test_names_and_numbers_are_taken_out_and_the_question_stays(message, kept):
    assert scrub(message) == kept


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("est-ce que la police de Louisville travaille avec l'immigration ?", id="fr"),
        pytest.param(
            "je suis sans papiers, si j'appelle le 911 est-ce qu'ils vont me demander mon statut ?", id="fr-2"
        ),
        pytest.param("هل تسأل شرطة لويفيل عن وضع الهجرة؟", id="ar"),
        pytest.param("من فضلك، هل يمكن للشرطة أن تسألني عن أوراقي؟", id="ar-2"),
        pytest.param("آیا پولیس لوئیزویل از وضعیت مهاجرت من میپرسد؟", id="prs"),
        pytest.param("police le mero status sodhchha ki nai?", id="ne"),
        pytest.param("के लुइसभिल प्रहरीले मेरो अध्यागमन स्थिति सोध्छ?", id="ne-devanagari"),
        pytest.param("je polisi wa Louisville wanaweza kuuliza kuhusu hali yangu ya uhamiaji?", id="sw"),
        pytest.param("booliska Louisville ma i weydiin karaan sharcigayga socdaalka?", id="so"),
        pytest.param("Чи може поліція Луїсвілля питати про мій імміграційний статус?", id="uk"),
        # a word beginning a sentence before a verb of verbs_after_name, that is not a name
        pytest.param("Louisville a une police municipale ?", id="fr-known-before-verb"),
        pytest.param("Quelqu'un a appelé la police sur moi", id="fr-someone-before-verb"),
        pytest.param("Personne ne m'a aidé, est-ce normal ?", id="fr-nobody-before-negation"),
        pytest.param("Police a arrêté mon voisin hier", id="fr-police-before-verb"),
        pytest.param("Voy a llamar a la policía", id="es-a-after-first-word"),
        pytest.param("Need a lawyer for my cousin", id="en-a-after-first-word"),
        pytest.param("الشرطة في لويفيل قالت انها لا تعمل مع الهجرة", id="ar-3"),
        pytest.param("ولد عمره ١٠ سنين هل يحتاج اوراق؟", id="ar-born-word-without-year"),
        pytest.param("في عام ٢٠١٧ قال العمدة إن الشرطة لا تعمل مع الهجرة", id="ar-year-in-arabic-digits"),
        pytest.param("در سال ۲۰۱۷ شاروال چه گفت؟", id="prs-year-in-persian-digits"),
        pytest.param("برادرم می\u200cرود سر کار، آیا پولیس او را می\u200cگیرد؟", id="prs-verb-with-zwnj-after-cue"),
        pytest.param("Police le mero status sodhchha?", id="ne-police-before-postposition"),
        pytest.param("के २०१७ मा मेयरले ICE बारे केही भन्नुभयो?", id="ne-year-in-devanagari-digits"),
        pytest.param("Mwanangu alikamatwa na polisi jana", id="sw-my-child-before-verb"),
        pytest.param("Polisi alisema nini?", id="sw-police-before-verb"),
        pytest.param("Mtoto anaogopa kwenda shule", id="sw-child-before-verb"),
        pytest.param("Tani waa su'aal muhiim ah", id="so-this-before-verb"),
        pytest.param("Louisville waa magaalo ammaan ah?", id="so-known-before-verb"),
        pytest.param("Maanta booliska ayaa i joojiyay", id="so-today-police"),
        pytest.param("Поліція затримала його вчора", id="uk-police-before-verb"),
        pytest.param("Це не законно?", id="uk-this-before-negation"),
        pytest.param("Луїсвілль має програми для іммігрантів?", id="uk-known-before-verb"),
        pytest.param("Дружина не має документів", id="uk-wife-before-negation"),
        pytest.param("Мы не знаем что делать", id="uk-we-before-negation-russian"),
        pytest.param("Полиция не спрашивает документы?", id="uk-police-before-negation-russian"),
    ],
)
def test_a_question_without_names_or_numbers_is_kept_as_written(message):
    assert scrub(message) == message


# What scrub.py gets wrong in these languages, and lists cannot mend.


@pytest.mark.xfail(
    strict=True,
    reason="scrub's `born` pattern looks for the year AFTER a born word; in Ukrainian, Nepali, Dari and Somali the "
    "year usually comes before it ('1990 року народження', 'म सन् १९९० मा जन्मिएँ'), and a year from 1950 to 2039 "
    "is kept",
)
@pytest.mark.parametrize(
    "message,kept",
    [
        pytest.param("я 1990 року народження", f"я {R} року народження", id="uk"),
        pytest.param("म सन् १९९० मा जन्मिएँ", f"म सन् {R} मा जन्मिएँ", id="ne"),
        pytest.param("من در سال ۱۹۹۰ به دنیا آمدم", f"من در سال {R} به دنیا آمدم", id="prs"),
        pytest.param("1990 ayaan dhashay", f"{R} ayaan dhashay", id="so"),
    ],
)
def test_a_year_of_birth_before_the_word_born_is_taken_out(message, kept):
    assert scrub(message) == kept


@pytest.mark.xfail(
    strict=True,
    reason="scrub's `born` pattern allows up to two words between the born word and the year as \\w+, which a "
    "Devanagari word with a vowel sign or virama is not ('नेपालमा', 'सन्'); only the whole entries 'जन्म सन्', "
    "'जन्म मिति'... are found",
)
def test_a_devanagari_year_of_birth_after_other_words_is_taken_out():
    assert scrub("मेरो जन्म नेपालमा सन् १९९० मा भयो") == f"मेरो {R} मा भयो"


@pytest.mark.xfail(
    strict=True,
    reason="Somali writes the day with the suffix -ka ('15-ka Janaayo'), which scrub's date patterns do not "
    "allow after the number: the day and the year (1950-2039) stay",
)
def test_a_somali_day_with_ka_is_taken_out():
    assert scrub("waxaan dhashay 15-ka Janaayo 1990") == f"waxaan dhashay {R}"


@pytest.mark.xfail(
    strict=True,
    reason="scrub's date patterns end a month with (?!\\w), and the ZWNJ is not \\w: the Dari month می (May) "
    "matches the prefix of a verb after a number ('ساعت ۵ می\u200cآید', 'comes at 5') and cuts the verb",
)
def test_a_number_before_a_dari_verb_is_not_a_date():
    message = "آیس ساعت ۵ می\u200cآید؟"
    assert scrub(message) == message
