# Data protection (RODO): the register, retention, the resident's data,
# data subject requests.
role-iod = inspektor ochrony danych
section-privacy = Ochrona danych
nav-privacy-register = Rejestr czynności
nav-privacy-retention = Retencja
nav-privacy-requests = Żądania osób
privacy-register-title = Rejestr czynności przetwarzania
privacy-register-intro = Rejestr (art. 30 ust. 1 RODO) powstaje z opisu tabel w kodzie platformy: każda tabela z danymi osobowymi należy do co najmniej jednej czynności.
privacy-special = dane szczególnych kategorii
privacy-purpose = Cel
privacy-legal-basis = Podstawa prawna
privacy-subjects = Kategorie osób
privacy-categories = Kategorie danych
privacy-special-categories = Dane szczególnych kategorii (art. 9 RODO)
privacy-recipients = Odbiorcy
privacy-retention = Okres przechowywania
privacy-retention-none = według instrukcji kancelaryjnej (poza platformą)
privacy-tables = Tabele
retention-kind-closed_cases = sprawy zakończone (anonimizacja mieszkańca)
retention-kind-sessions = sesje logowania
retention-kind-password_resets = linki resetu hasła i potwierdzenia
retention-kind-outbox = treść wysłanej poczty
retention-kind-survey_codes = niewykorzystane kody ankiet
retention-kind-audit_log = rejestr zdarzeń
retention-from-last_case_closed = od zakończenia ostatniej sprawy
retention-from-expired = od wygaśnięcia
retention-from-sent = od wysłania
retention-from-survey_period_end = od końca okresu ankiety
retention-from-logged = od zapisu
retention-action-anonymise = anonimizacja
retention-action-delete = usunięcie
retention-action-clear = wyczyszczenie treści
privacy-retention-title = Retencja danych
privacy-retention-intro = Okresy są ustawieniami wdrożenia (sekcja [retention], zapis ISO 8601: P10Y to 10 lat, P30D to 30 dni). Zadanie „retention” wykonuje je codziennie; tabela pokazuje, co zrobiłoby teraz.
privacy-retention-rules = Reguły i rekordy po terminie
privacy-kind = Rodzaj danych
privacy-period = Okres
privacy-counted-from = Liczony
privacy-action = Czynność
privacy-due = Do wykonania
privacy-held = Wstrzymane blokadą
privacy-due-residents = Mieszkańcy do anonimizacji
privacy-no-name = dane zanonimizowane
privacy-on-hold = blokada prawna
privacy-run-warning = Uruchomienie teraz wykona powyższe czynności w Twojej gminie. Anonimizacji nie można cofnąć.
privacy-run = Uruchom retencję teraz
privacy-requests-title = Żądania osób, których dane dotyczą
privacy-requests-none = Brak żądań.
privacy-status = Stan
privacy-state-open = otwarte
privacy-state-decided = rozpatrzone
privacy-right = Żądanie
privacy-right-access = dostęp do danych (art. 15)
privacy-right-rectification = sprostowanie (art. 16)
privacy-right-erasure = usunięcie (art. 17)
privacy-right-restriction = ograniczenie przetwarzania (art. 18)
privacy-right-objection = sprzeciw (art. 21)
privacy-filed = Złożone
privacy-due-date = Termin odpowiedzi
privacy-decision = Rozstrzygnięcie
privacy-decision-granted = uwzględnione
privacy-decision-refused = odmowa
privacy-decision-partly = uwzględnione częściowo
privacy-request-title = Żądanie
privacy-person = Osoba
privacy-text = Treść
privacy-reason = Uzasadnienie
privacy-decide = Rozstrzygnij
privacy-decide-effects = Uwzględnione żądanie usunięcia anonimizuje dane od razu (nie można tego cofnąć); uwzględnione ograniczenie wstrzymuje każdy nowy zapis o tej osobie do czasu zdjęcia.
privacy-resident-title = Dane osoby
privacy-birth-year = Rok urodzenia
privacy-state = Stan danych
privacy-is-anonymised = zanonimizowane
privacy-is-restricted = przetwarzanie ograniczone
privacy-is-ordinary = przetwarzane zwykle
privacy-export = Pobierz wszystkie dane osoby (JSON)
privacy-hold = Nałóż blokadę prawną
privacy-hold-reason = Powód blokady (np. postępowanie sądowe)
privacy-release = Zdejmij blokadę prawną
privacy-unrestrict = Zdejmij ograniczenie przetwarzania
privacy-file = Złóż żądanie
my-data-title = Moje dane
my-data-intro = Wszystko, co centrum przechowuje o Tobie, kto je odczytywał i jak długo będą przechowywane (art. 15 RODO).
my-data-download = Pobierz moje dane (plik JSON)
my-data-record = Dane osobowe
my-data-name = Imię i nazwisko
my-data-requests = Wnioski
my-data-plans = Indywidualne plany usług
my-data-plan-of = plan z wniosku z dnia { $date }
my-data-consents = Zgody
my-data-retention = Jak długo przechowujemy dane
my-data-until = do
my-data-until-open = do zakończenia Twoich spraw, potem przez okres archiwalny
my-data-access = Kto odczytywał Twoje dane
my-data-who = Kto (rola)
my-data-access-none = Nikt poza Tobą.
my-data-rights = Twoje prawa
todo-privacy-request-access = Żądanie dostępu do danych: { $name }
todo-privacy-request-rectification = Żądanie sprostowania danych: { $name }
todo-privacy-request-erasure = Żądanie usunięcia danych: { $name }
todo-privacy-request-restriction = Żądanie ograniczenia przetwarzania: { $name }
todo-privacy-request-objection = Sprzeciw wobec przetwarzania: { $name }
error-privacy-resident = Nie ma takiego mieszkańca w Twojej gminie.
error-privacy-self = Mieszkaniec składa żądanie tylko we własnym imieniu.
error-privacy-decided = To żądanie zostało już rozpatrzone.
error-held = Dane tej osoby są objęte blokadą prawną.
error-open_case = Osoba ma niezakończoną sprawę lub plan; usunięcie danych jest możliwe po ich zakończeniu.
error-restricted = Przetwarzanie danych tej osoby jest ograniczone (art. 18 RODO): nowe zapisy są wstrzymane do czasu zdjęcia ograniczenia przez inspektora.
audit-subject-privacy = ochrona danych
audit-subject-privacy_request = żądanie RODO
audit-verb-export = eksport danych
audit-verb-retention = retencja
audit-verb-hold = blokada prawna
audit-verb-release = zdjęcie blokady
audit-verb-unrestrict = zdjęcie ograniczenia
audit-verb-request-create = złożenie żądania
audit-verb-request-decide = rozstrzygnięcie żądania
period-years = { $n ->
    [one] { $n } rok
    [few] { $n } lata
   *[many] { $n } lat
}
period-months = { $n ->
    [one] { $n } miesiąc
    [few] { $n } miesiące
   *[many] { $n } miesięcy
}
period-days = { $n ->
    [one] { $n } dzień
   *[other] { $n } dni
}
resident-anonymised = Dane tej osoby zostały zanonimizowane: zostały tylko fakty, z których liczone są wskaźniki.
resident-privacy-request = Żądanie dotyczące danych osobowych (RODO)
