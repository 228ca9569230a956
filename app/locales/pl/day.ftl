# The worker's day: the home page's list of what needs doing.
home-todo = Do zrobienia
home-todo-none = Nic pilnego: wszystkie terminy są dotrzymane.
home-todo-count = { $count ->
    [one] { $count } sprawa
    [few] { $count } sprawy
   *[many] { $count } spraw
}
home-due = termin
severity-overdue = Po terminie
severity-due_soon = Wkrótce
severity-info = Do wiadomości
todo-request-to-route = Wniosek { $case } ({ $name }) czeka na skierowanie
todo-plan-deadline = IPUS: { $name }, sprawa { $case }: termin 30 dni na opracowanie planu
todo-plan-consent-asked = IPUS: { $name }, sprawa { $case }: czeka na zgodę mieszkańca
todo-plan-review = IPUS: { $name }, sprawa { $case }: przegląd planu
todo-plan-to-approve = IPUS: { $name }, sprawa { $case }: uzgodniony, czeka na zatwierdzenie
todo-plan-consent = Twój indywidualny plan usług czeka na Twoją zgodę
todo-report-due = Sprawozdanie końcowe z umowy { $number } ({ $organization })
todo-offers-to-check = { $title }: { $count ->
    [one] { $count } oferta czeka
    [few] { $count } oferty czekają
   *[many] { $count } ofert czeka
} na ocenę formalną
todo-consultation-ends = Konsultacje kończą się: { $title }
todo-corrective-overdue = Działanie naprawcze po terminie: { $title }
todo-indicator-below-target = Wskaźnik poniżej celu: { $indicator } ({ $period })
todo-offer-to-score = Oceń ofertę „{ $offer }” ({ $organization }) w konkursie { $competition }
todo-program-to-adopt = Program czeka na uchwałę: { $title }
todo-competition-open = Otwarty konkurs: { $title }
home-areas = Twoje obszary pracy
nav-main = Menu główne
nav-account = Moje konto
nav-search = Wyszukiwanie
section-cases = Sprawy
section-services = Usługi
section-contracting = Zlecanie
section-assessment = Ocena
section-program = Program
section-community = Społeczność
section-admin = Administracja
public-services-title = Usługi i ich realizatorzy
search-label = Numer sprawy, umowy, nazwa organizacji lub nazwisko
error-search-q-short = Wpisz co najmniej 2 znaki.
error-search-q-long = Wpisz najwyżej 100 znaków.
search-title = Wyszukiwanie
search-none = Nic nie znaleziono.
search-results = Wyniki
search-kind-request = Sprawa
search-kind-agreement = Umowa
search-kind-competition = Konkurs
search-kind-program = Program współpracy
search-kind-social_program = Program usług społecznych
search-kind-organization = Organizacja
search-kind-resident = Mieszkaniec
search-kind = Rodzaj
search-record = Rekord
public-services-lead = Usługi społeczne, które gmina zapewnia mieszkańcom, z zasadami dostępu i odpłatności oraz organizacjami, które je realizują na podstawie obowiązujących umów.
public-services-municipality = Gmina
public-services-show = Pokaż
public-services-standard = Standard usługi
public-services-criteria = Kto może skorzystać
public-services-fee = Odpłatność
public-services-providers = Realizatorzy
public-services-phone = tel.
public-services-center = Żadna organizacja nie ma dziś umowy na tę usługę; informacji udziela centrum usług społecznych.
public-services-none = Gmina nie opublikowała jeszcze katalogu usług.
