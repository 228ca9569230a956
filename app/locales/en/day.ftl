# The worker's day: the home page's list of what needs doing.
home-todo = To do
home-todo-none = Nothing urgent: every deadline is met.
home-todo-count = { $count ->
    [one] { $count } item
   *[other] { $count } items
}
home-due = due
severity-overdue = Overdue
severity-due_soon = Due soon
severity-info = For information
todo-request-to-route = Request { $case } ({ $name }) waits to be routed
todo-plan-deadline = Service plan: { $name }, case { $case }: the 30-day deadline for the plan
todo-plan-consent-asked = Service plan: { $name }, case { $case }: waits for the resident's consent
todo-plan-review = Service plan: { $name }, case { $case }: plan review
todo-plan-to-approve = Service plan: { $name }, case { $case }: agreed, waits for approval
todo-plan-consent = Your individual service plan waits for your consent
todo-report-due = Final report of agreement { $number } ({ $organization })
todo-offers-to-check = { $title }: { $count ->
    [one] { $count } offer waits
   *[other] { $count } offers wait
} for the formal check
todo-consultation-ends = Consultation ends: { $title }
todo-corrective-overdue = Corrective action overdue: { $title }
todo-indicator-below-target = Indicator below target: { $indicator } ({ $period })
todo-offer-to-score = Score the offer “{ $offer }” ({ $organization }) in the competition { $competition }
todo-program-to-adopt = Program waits for a resolution: { $title }
todo-competition-open = Open competition: { $title }
home-areas = Your areas of work
nav-main = Main menu
nav-account = My account
nav-search = Search
section-cases = Cases
section-services = Services
section-contracting = Contracting
section-assessment = Assessment
section-program = Program
section-community = Community
section-admin = Administration
public-services-title = Services and their providers
search-label = Case or agreement number, organization or name
error-search-q-short = Type at least 2 characters.
error-search-q-long = Type at most 100 characters.
search-title = Search
search-none = Nothing found.
search-results = Results
search-kind-request = Case
search-kind-agreement = Agreement
search-kind-competition = Competition
search-kind-program = Cooperation program
search-kind-social_program = Social services program
search-kind-organization = Organization
search-kind-resident = Resident
search-kind = Kind
search-record = Record
public-services-lead = The social services the municipality provides to its residents, with who may use them, the fees, and the organizations that provide them under agreements in force.
public-services-municipality = Municipality
public-services-show = Show
public-services-standard = Service standard
public-services-criteria = Who may use it
public-services-fee = Fees
public-services-providers = Providers
public-services-phone = phone
public-services-center = No organization has an agreement for this service today; the social services center gives information about it.
public-services-none = The municipality has not published its catalogue of services yet.
