# English message catalogue: every text a person reads, one to one with zh-CN.ftl (same keys, same arguments).
# Keys and argument names are machine codes and never translated; { $name } is an argument. Change both files.

## Titles of problem details (RFC 9457), by HTTP status

problem-400 = Bad Request
problem-401 = Unauthorized
problem-403 = Forbidden
problem-404 = Not Found
problem-405 = Method Not Allowed
problem-408 = Request Timeout
problem-409 = Conflict
problem-410 = Gone
problem-413 = Payload Too Large
problem-415 = Unsupported Media Type
problem-422 = Unprocessable Entity
problem-429 = Too Many Requests
problem-431 = Request Header Fields Too Large
problem-500 = Internal Server Error
problem-503 = Service Unavailable
problem-507 = Insufficient Storage
problem-other = Error

## Common problem details

problem-validation = request validation failed
problem-internal = an internal error occurred; it has been logged
problem-method-not-allowed = this method is not allowed on this resource
problem-timeout = the request took too long and was abandoned
problem-body-too-large = request body exceeds the 1 MiB limit
problem-no-such-resource = no such resource
problem-no-such-route = no such route
problem-head-too-large = a request may carry at most { $headers } headers and { $kib } KiB of them
problem-db-unavailable = the database is unavailable; retry shortly
problem-db-full = the database has no space left; nothing of this request was written

## Text not from the catalogue (an older row, words a person typed), shown as written

text-verbatim = { $text }

## Texts the service writes and keeps (list entries, sanctions, ledger entries, proposals): kept as keys and
## arguments, read in the reader's language

list-exit-black = Ends on { $expires_on } at the latest; earlier if an approver removes it, if credit repair is approved (applications from { $repair_from }, after the minimum publication period), or if the cases it rests on are voided on appeal, administrative review or litigation.
list-exit-red = Ends on { $expires_on } at the latest; earlier, automatically, when a new case against the subject is approved, or if an approver removes it.
red-grounds = grade A with no sanction in { $from }–{ $to } (scores { $scores })
reason-practitioner-suspension = { $points } points in { $cycle }: payment qualification suspended for { $months ->
        [one] { $months } month
       *[other] { $months } months
    } (医保发〔2024〕23号)
reason-practitioner-termination = { $points } points in { $cycle }: payment qualification terminated, no re-registration for { $ban_years ->
        [one] { $ban_years } year
       *[other] { $ban_years } years
    }
reason-practitioner-termination-single-event = { $points } points in { $cycle } from a single event: payment qualification terminated, no re-registration for { $ban_years ->
        [one] { $ban_years } year
       *[other] { $ban_years } years
    }
reason-insured-settlement-suspension = { $label }: networked settlement suspended for { $months ->
        [one] { $months } month
       *[other] { $months } months
    } (条例第四十一条)
reason-black-single-event-termination = { $label }: { $points } points from a single event terminated the payment qualification
reason-black-insured-fraud = { $label }: fraud of { $amount } fen, above the { $threshold } fen the policy black-lists
reason-black-judicial-transfer = { $label }: major case transferred to the judiciary (移送司法)
reason-black-agreement-termination-fraud = service agreement terminated for fraud (sanction { $id }): { $reason }
reason-case-voided = case { $id } voided: { $reason }
reason-case-voided-points-remain = { $why }; { $points } points remain in { $cycle }
reason-appeal-accepted = appeal { $id } accepted: { $reason }
reason-case-voided-by-approver = case voided by an approver: { $reason }
reason-credit-repair = credit repair { $id }: { $reason }
reason-credit-repair-of-case = credit repair { $id } of case { $case }: { $reason }
reason-red-ended-by-case = case { $id } approved: { $label }

## Messages of the use cases, validators and extractors

a-hospital-token-must-carry-the-org = a hospital token must carry the org claim
authorization-must-be-bearer-token = Authorization must be 'Bearer <token>'
missing-authorization-bearer-token = missing Authorization: Bearer token
is-outside = { $date } is outside { $FIRST }..{ $LAST }
must-be-a-date-written-yyyy-mm = must be a date written YYYY-MM-DD, not { $text }
four-eyes-the-person-may-not = four eyes: the person { $party } may not { $decision }
must-be-1-to-100-characters = must be 1 to 100 characters
is-not-a-county-level-administrative-division = is not a county-level administrative division code (GB/T 2260)
must-be-a-6-digit-administrative-division = must be a 6-digit administrative division code
birth-date-is-in-the-future = birth date is in the future
check-character-does-not-match-gb-11643 = check character does not match (GB 11643)
the-first-17-characters-must-be-digits = the first 17 characters must be digits
must-be-18-characters = must be 18 characters
check-character-does-not-match-gb-32100 = check character does not match (GB 32100)
character-is-not-allowed-in-a-uscc = character { $detail } is not allowed in a USCC
the-entry-would-end-on-a-day = the entry would end on a day out of range: { $why }
must-be-at-most-days-after-today = must be at most { $ahead } days after today ({ $today })
must-name-a-host = must name a host
must-not-carry-a-user-name-or = must not carry a user name or password
must-be-an-http-or-https-url = must be an http or https URL
must-not-contain-whitespace-or-control-characters = must not contain whitespace or control characters
must-be-at-most-2000-characters = must be at most 2000 characters
is-a-address-which-webhooks-may-not = { $ip } is a { $detail } address, which webhooks may not reach
lasts-at-least-months-for-a-the = lasts at least { $min } months for a { $kind }: the earliest end is { $shortest }
lasts-at-most-months-for-a-the = lasts at most { $max } months for a { $kind }: the latest end is { $longest }
is-required-for = is required for { $ty }
must-be-a-positive-number-of-fen = must be a positive number of fen
applies-only-to-recovery-and-penalty = applies only to recovery and penalty
must-not-be-before-starts-on = must not be before starts_on
must-be-absent-is-open-ended = must be absent: { $ty } is open-ended
must-be-at-most-characters = must be at most { $MAX_REASON_CHARS } characters
is-required = is required
must-contain-at-least-one-letter-or = must contain at least one letter or CJK character
must-not-contain-control-characters-found-u = must not contain control characters (found U+{ $detail })
is-given-more-than-once-give-it = is given more than once; give it once
is-not-a-parameter-of-this-operation = is not a parameter of this operation
malformed-json = malformed JSON: { $e }
expected-content-type-application-json = expected Content-Type: application/json
cannot-read-the-body = cannot read the body: { $detail }
request-body-exceeds-the-1-mib-limit = request body exceeds the 1 MiB limit
is-not-a-cursor-from-this-api = is not a cursor from this API
must-be-between-1-and = must be between 1 and { $MAX_LIMIT }
the-path = the path { $message }
cannot-write-csv = cannot write CSV: { $e }
seq-is-older-than-the-feed-keeps = seq { $after } is older than the feed keeps ({ $detail } days): re-export the list and follow the feed from the export's seq
after-is-beyond-the-feed-s-head = after={ $after } is beyond the feed's head, seq { $head }: a mirror must resume from a seq it has read
must-be-1-to = must be 1 to { $MAX_LIMIT }
must-be-0-or-a-seq-from = must be 0 or a seq from this feed
is-not-an-institution-or-pharmacy = { $code } is not an institution or pharmacy
a-hospital-may-read-only-its-own = a hospital may read only its own institution's roster
no-screening-of-yours = no screening { $id } of yours
give-1-to-codes = give 1 to { $max } codes
a-screening-carries-at-most-codes-this = a screening carries at most { $max } codes; this one has { $detail }
no-subject-with-code = no subject with code { $code }
expected-content-type-text-csv-or-application = expected Content-Type: text/csv or application/x-ndjson
a-concurrent-request-with-this-idempotency-key = a concurrent request with this Idempotency-Key failed
must-be-1-to-200-visible-ascii = must be 1 to 200 visible ASCII characters
has-no-current-affiliation-with = { $code } has no current affiliation with { $institution_code }
already-has-an-affiliation-with-overlapping-these = { $code } already has an affiliation with { $code2 } overlapping these dates
must-name-an-institution-or-a-pharmacy = must name an institution or a pharmacy
is-not-a-registered-subject = { $institution_code } is not a registered subject
must-not-be-before-valid-from = must not be before valid_from
is-not-a-practitioner-only-practitioners-have = { $code } is not a practitioner; only practitioners have affiliations
appeal-is-already = appeal { $id } is already { $state }
no-appeal = no appeal { $id }
the-appeal-window-of-case-closed-on = the appeal window of case { $case_id } closed on { $last } ({ $detail } days after approval)
evidence-is-not-json = evidence is not JSON: { $e }
s-payment-qualification-was-terminated-no-re = { $code }'s payment qualification was terminated; no re-affiliation before { $until }
before = { $what } before { $until }
a-bulk-write-s-producer-failed = a bulk write's producer failed: { $e }
a-bulk-write-stopped = a bulk write stopped
the-case-names-no-subject-or-catalogue = the case names no subject or catalogue entry
is-not-a-registered-institution-or-pharmacy = { $code } is not a registered institution or pharmacy
applies-only-to-practitioners = applies only to practitioners
is-required-for-a-practitioner-general-important = is required for a practitioner (general, important or main)
does-not-apply-to-a-subject-of = { $type_code } does not apply to a subject of kind { $kind }
is-not-in-the-catalogue-in-force = { $type_code } is not in the catalogue in force on { $occurred_on }
is-not-a-registered-subject-2 = { $subject_code } is not a registered subject
must-be-1-to-2000-characters = must be 1 to 2000 characters
must-be-64-hexadecimal-digits = must be 64 hexadecimal digits
must-be-1-to-200-characters = must be 1 to 200 characters
at-most-100-references = at most 100 references
needs-institution-code = needs institution_code
may-not-be-negative = may not be negative
must-be-1-to-4000-characters = must be 1 to 4000 characters
may-not-be-in-the-future = may not be in the future
may-not-be-after-discovered-on = may not be after discovered_on
version-of-is-in-force-from-to = version { $version } of { $code } is in force from { $effective_from } to { $detail }; a new version must start after it
must-not-be-before-effective-from = must not be before effective_from
applies-only-to-types-for-insured-persons = applies only to types for insured persons
must-not-exceed-points-max = must not exceed points_max
mixes-point-scales-practitioner-12-points-institution = mixes point scales: practitioner (12 points), institution/pharmacy (100 points) and insured (no points) need separate types
must-not-repeat-a-kind = must not repeat a kind
must-name-at-least-one-kind-of = must name at least one kind of subject
must-be-1-to-500-characters = must be 1 to 500 characters
must-be-3-to-64-uppercase-letters = must be 3 to 64 uppercase letters, digits or hyphens
must-be-a-date-between-1900-01 = must be a date between 1900-01-01 and 9999-12-31
is-too-large = is too large
this-idempotency-key-was-used-with-a = this Idempotency-Key was used with a different body (first on { $operation })
body-is-not-json = body is not JSON: { $e }
is-not-json = is not JSON: { $e }
each-line-must-be-one-json-object = each line must be one JSON object
is-a-required-column = is a required column
appears-twice-in-the-header = appears twice in the header
an-import-holds-at-most-100000-rows = an import holds at most 100000 rows
errors-are-not-json = errors are not JSON: { $e }
no-import-of-yours = no import { $id } of yours
the-import-reader-failed = the import reader failed: { $e }
an-import-holds-at-most-rows-split = an import holds at most { $MAX_ROWS } rows; split the file
holds-no-rows = holds no rows
an-import-s-body-holds-at-most = an import's body holds at most { $detail } MiB; split the file
cannot-be-read = cannot be read: { $e }
no-list-entry = no { $kind } list entry { $id }
proposal-is-already = proposal { $id } is already { $state }
no-red-list-proposal = no red-list proposal { $id }
is-required-to-decline = is required to decline
the-red-list-for-needs-completed-years = the red list for { $year } needs { $n } completed years before it; { $open } is not over
must-be-a-year-from-1901-to = must be a year from 1901 to 9999
is-not-a-calendar-year = is not a calendar year
list-entry-expired-on = list entry { $id } expired on { $detail }
list-entry-has-already-ended = list entry { $id } has already ended ({ $kind })
list-entry-is-published-already = list entry { $id } is published already
no-list-entry-2 = no { $list } list entry { $id }
notice-is-not-json = notice is not JSON: { $e }
must-not-be-before-listed-on = must not be before listed_on
applies-only-to-an-approval = applies only to an approval
at-most-the-case-s = at most the case's { $most }
repair-is-already = repair { $id } is already { $state }
no-repair-application = no repair application { $id }
not-yet-eligible-for-credit-repair-the = not yet eligible for credit repair: the minimum publication period ends, and applications open, on { $eligible_from }
no-subject-with-id = no subject with id { $subject_id }
is-a-case-of-another-subject-than = is a case of another subject than the entry
case-is-not-an-approved-case = case { $id } is not an approved case
no-violation-case = no violation case { $id }
list-entry-has-already-ended-2 = list entry { $id } has already ended
no-list-entry-3 = no list entry { $id }
give-1-to-100-references-to-the = give 1 to 100 references to the proof of rectification
give-list-entry-id-violation-id-or = give list_entry_id, violation_id or both
no-sanction-with-id = no sanction with id { $id }
sanction-is = sanction { $id } is { $now_status }
sanction-is-revoked = sanction { $id } is revoked
the-ban-would-end-on-a-day = the ban would end on a day out of range: { $why }
case-is-only-approved-cases-count = case { $id } is { $state }; only approved cases count
case-is-against-not-this-subject = case { $id } is against { $owner }, not this subject
no-case-with-id = no case with id { $id }
case-is-listed-twice = case { $id } is listed twice
at-most-cases = at most { $MAX_VIOLATIONS } cases
must-name-at-least-one-approved-case = must name at least one approved case of this subject (or a practitioner's case its institution bears)
is-not-a-registered-practitioner = { $code } is not a registered practitioner
does-not-match-the-code-pattern = does not match the { $kind } code pattern { $pattern }
must-be-1-to-64-letters-or = must be 1 to 64 letters or digits
subject-is-not-json = subject is not JSON: { $e }
code-is-the-code-of-another-subject = code { $new_code } is the code of another subject ({ $code })
an-insured-person-s-code-is-the = an insured person's code is the ID number and does not change
applies-only-to-pharmacies = applies only to pharmacies
applies-only-to-institutions = applies only to institutions
applies-only-to-insured-persons = applies only to insured persons
applies-only-to-institutions-and-pharmacies = applies only to institutions and pharmacies
is-required-for-insured-persons-employee-or = is required for insured persons (employee or resident)
is-required-for-practitioners = is required for practitioners
applies-only-to-practitioners-and-insured-persons = applies only to practitioners and insured persons
is-required-for-practitioners-and-insured-persons = is required for practitioners and insured persons
is-required-for-institutions-and-pharmacies = is required for institutions and pharmacies
a-subject-with-code-already-exists = a subject with code { $code } already exists
the-case-went-missing-while-it-was = the case went missing while it was read
delivery-is-not-failed = delivery { $delivery_id } is { $status }, not failed
no-delivery-of-webhook = no delivery { $delivery_id } of webhook { $id }
no-webhook-of-yours = no webhook { $id } of yours
name-at-least-one-event = name at least one event
only-a-returned-case-can-be-corrected = only a returned case can be corrected; this one is { $state }
must-be-between-and = must be between { $min } and { $max }
applies-only-to-insured-persons-cases-of = applies only to insured persons' cases of a type that suspends settlement
is-required-for-suspend-networked-settlement-for = is required for { $code }: suspend networked settlement for { $settlement_suspension_min_months }–{ $settlement_suspension_max_months } months
must-be-between-and-for = must be between { $min } and { $max } for { $code }
is-required-1-to-2000-characters = is required (1 to 2000 characters)
a-case-in-state-cannot-be-given = a case in state { $from } cannot be given the action { $action }
change-is-not-json = change is not JSON: { $e }
role-may-not-do-this-allowed = role { $role } may not do this; allowed: { $detail }
a-field-name = a field name { $message }
no-such-cycle = no such cycle { $cycle }
no-subject-with-this-code = no subject with this code
decision-case-review = review the case
decision-case-approval = approve the case
decision-appeal = decide the appeal
decision-tip-reward = decide the tip's reward
decision-repair = decide the repair application
decision-red-list-proposal = decide the red-list proposal
decision-black-list-removal = remove the black-list entry
party-recorder = who recorded the case
party-reviewer = who reviewed the case
party-approver = who approved the case
party-appellant = who filed the appeal
party-applicant = who applied for the repair
party-proposer = who asked for the proposals
party-tip-handler = who handled the tip
party-lister = who listed the entry
import-abandoned = did not finish: its server stopped, or it ran past the 10-minute limit
import-request-ended = the request ended before the import did (time limit, client gone or server stopping); nothing was written
import-code-twice = { $code } appears twice (first on line { $first })
import-identity-taken-on-line = { $taken } (line { $first })
import-person-not-registered = { $person } is not a registered practitioner nor one above
identity-person-taken = ID number { $id_number } is already registered as { $kind } { $code }: one file per person
identity-organisation-taken = USCC { $uscc } is already registered as { $code }: one file per organisation
import-unknown-column = is not a column of an import; use { $columns }
import-line-too-long = is longer than { $max } bytes
import-body-broken = could not be read to its end: { $detail }
import-unequal-fields = has { $len } fields where the header has { $expected }
import-not-utf8 = is not valid UTF-8
list-entry-would-have-ended = the entry would have ended on { $ends }, before today ({ $today })
sanction-type-not-for-kind = { $ty } does not apply to a subject of kind { $kind }
quota-used-up = the daily quota of { $limit } person look-ups is used up (this request asks for { $n }); it resets at { $resets_at }
query-parameter-none-taken = is not a parameter of this operation, which takes none
query-parameter-unknown = is not a parameter of this operation; it takes { $listed }
catalogue-points-insured-zero = must be 0: insured persons have no points
catalogue-points-on-scale = must be between { $low } and { $high } on this scale
token-unknown-key-id = unknown key id
token-not-yet-valid = token is not valid yet (nbf is in the future)
token-issued-in-future = token was issued in the future (iat)
token-expired = token has expired
token-signature-invalid = token signature is invalid
token-algorithm-not-accepted = token algorithm is not accepted
token-missing-claim = token lacks the required claim { $claim }
token-invalid = the token is not a valid JSON Web Token
hospital-not-yours = a hospital may read only its own institution and its practitioners
not-ready = not ready
webhook-host-resolves-to = { $host } resolves to { $why }
date-not-a-calendar-day = { $text } is not a day of the calendar
url-invalid = is not a URL: { $detail }
id-number-birth-date-invalid = digits 7–14 are not a real birth date
fault-serialise = a value could not be written or read: { $detail }
must-be-1-to-32-characters = must be 1 to 32 characters
scope-required-for-suspension = is required for a qualification suspension
scope-only-for-suspensions = applies only to qualification and settlement suspensions
conflict-uscc-registered = this USCC is already registered: one file per organisation
conflict-id-number-registered = this ID number is already registered in this role: one file per person
conflict-same-key = a record with the same key already exists
field-is-required = is required
field-unknown = unknown field { $name }
field-unknown-variant = unknown variant { $value }, expected one of { $expected }
field-invalid-type = invalid type: { $found }, expected { $expected }
field-invalid = { $detail }
import-database-full = the database ran out of space; nothing was written
import-database-unavailable = the database could not be reached, or the connection to it was lost; nothing was written
import-database-error = a database error stopped the import; nothing was written
import-server-stopped = the server stopped
problem-bad-body = cannot read the body: { $detail }
problem-corrupt-row = stored row { $table }#{ $id } cannot be read: { $detail }
problem-expected-json = expected Content-Type: application/json
problem-invalid-path-parameter = invalid path parameter: { $detail }
problem-invalid-query-string = invalid query string: { $detail }
problem-malformed-json = malformed JSON: { $detail }
## Exports (CSV headers and cells)

export-yes = yes
export-no = no
export-column-id = ID
export-column-case-id = Case ID
export-column-sanction-id = Sanction ID
export-column-subject-code = Subject code
export-column-subject-kind = Subject kind
export-column-subject-name = Subject name
export-column-region = Region
export-column-status = Status
export-column-state = Case state
export-column-standing = Standing
export-column-listed-on = Listed on
export-column-expires-on = Expires on
export-column-ended-on = Ended on
export-column-end-kind = How it ended
export-column-published = Published
export-column-automatic = Automatic
export-column-case-ids = Case IDs
export-column-reason = Reason
export-column-measures = Measures
export-column-legal-basis = Legal basis
export-column-exit-conditions = Exit conditions
export-column-remedies = Remedies
export-column-type-code = Violation type
export-column-occurred-on = Occurred on
export-column-discovered-on = Discovered on
export-column-description = Facts
export-column-amount-involved = Amount involved (yuan)
export-column-amount-to-recover = Amount to recover (yuan)
export-column-institution-code = Institution code
export-column-major = Major case
export-column-transferred = Transferred to judiciary
export-column-points = Points
export-column-approved-at = Approved on
export-column-sanction-ids = Sanction IDs
export-column-sanction-type = Sanction type
export-column-scope = Scope
export-column-starts-on = Starts on
export-column-ends-on = Ends on
export-column-ban-until = Re-registration banned until
export-column-amount = Amount (yuan)
export-column-lifted-on = Lifted on
export-column-may-be-paid = May be paid
export-column-outpatient-general = May prescribe (outpatient)
export-column-outpatient-chronic = May prescribe (chronic outpatient)
export-column-inpatient = May prescribe (inpatient)
export-column-disputed = Disputed
export-column-as-of = As of

## Page: the public black list

public-list-title = Serious dishonesty list in medical security (public list)
public-list-heading = Serious dishonesty list in medical security
public-list-intro = Published while listed; personal details are masked.
public-list-q-placeholder = Name or code (people as the page shows them, masked)
public-list-q-label = Name
public-list-region-placeholder = Region code, e.g. 370102
public-list-region-label = Region
public-list-search = Search
public-list-empty = No entries match.
public-list-next = Next page
public-list-listed-on = listed { $date }
public-list-until = until { $date }
public-list-reason = Reason
public-list-basis = Legal basis
public-list-measures = Measures
public-list-exit = Exit conditions
public-list-remedies = Remedies
public-stats-year-out-of-range = must be a year from { $first } to this year ({ $last })
public-stats-title = Public statistics of medical-insurance fund supervision ({ $year })
public-stats-heading = Public statistics of medical-insurance fund supervision
public-stats-intro = Supervision of designated medical institutions and retail pharmacies in { $year }: organisations only, never a person. A figure about fewer than { $min } organisations is withheld and shown as "<{ $min }".
public-stats-as-of = Grades as of { $date }; the figures reflect change { $seq }.
public-stats-previous-year = Previous year ({ $year })
public-stats-next-year = Next year ({ $year })
public-stats-year = { $year }
public-stats-month = { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
}
public-stats-cases-title = Cases approved each month, beside the year before
public-stats-sanctions-title = Measures started in the year, by type
public-stats-grades-title = Credit grades of designated organisations ({ $date })
public-stats-grade = Grade { $grade }
public-stats-empty = No data
public-stats-prefectures-title = By prefecture
public-stats-no-prefectures = No designated organisation
public-stats-col-region = Prefecture
public-stats-col-cases = Cases approved
public-stats-col-amount = Amount to recover (yuan)
public-stats-col-suspended = Agreements suspended
public-stats-col-terminated = Agreements terminated
public-stats-col-black = Black-listed

## Page: the printable notice

date-long = { $year }-{ $month }-{ $day }
notice-title-case = Notice of an administrative decision on medical security
notice-title-sanction = Notice of an administrative decision on medical security
notice-title-black = Notice of listing as a seriously dishonest subject in medical security
notice-number-case = Case notice { $year } No. { $id }
notice-number-sanction = Sanction notice { $year } No. { $id }
notice-number-black = Listing notice { $year } No. { $id }
notice-addressee = To { $name }:
notice-section-subject = 1. The party
notice-section-facts = 2. The facts
notice-section-basis = 3. Legal basis
notice-section-decision = 4. The decision
notice-section-remedies = 5. Remedies and deadlines
notice-subject-name = Name
notice-subject-code = Code
notice-subject-kind = Kind
notice-subject-region = Region
notice-fact = It was found that on { $date } the party committed "{ $type }" (case { $id }): { $description }. Fund amount involved: { $involved } yuan; to be recovered: { $recover } yuan.
notice-decided-on = Decided on
notice-points = Points
notice-no-sanction = No further measure was decided in this case.
notice-sanction = Measure (no. { $id }): { $type }, from { $from } until { $until }. Reason: { $reason }
notice-open-ended = a later decision
notice-listed-on = Listed on
notice-expires-on = Expires on
notice-measures = Measures
notice-reason = Reason for listing
notice-exit = Exit conditions
notice-remedies-note = A party who disagrees with this decision may, within the periods above, appeal, apply for administrative review or bring an administrative lawsuit; the decision remains in force meanwhile. Where the conditions for credit repair are met, repair may be applied for from the date given.
notice-authority = The medical security administration
notice-issued = Printed on { $date }
remedy-window = { $from } to { $until }
remedy-window-open = may be applied for from { $from }

## Names of closed sets on pages and in exports (by machine code)

label-subject-kind-institution = designated medical institution
label-subject-kind-pharmacy = designated retail pharmacy
label-subject-kind-practitioner = practitioner
label-subject-kind-insured = insured person
label-list-measure-public_disclosure = public disclosure
label-list-measure-key_monitoring = key monitoring
label-list-measure-no_new_agreement = no new service agreement
label-list-measure-no_honours_or_subsidies = no honours or public subsidies
label-list-measure-settlement_restriction = networked settlement restricted
label-list-measure-reduced_inspection = fewer inspections
label-list-measure-public_commendation = public commendation
label-remedy-appeal = appeal
label-remedy-administrative_review = administrative review
label-remedy-litigation = administrative litigation
label-remedy-credit_repair = credit repair
label-sanction-type-interview = interview
label-sanction-type-rectification = rectification by a deadline
label-sanction-type-recovery = recovery of funds
label-sanction-type-penalty = contractual penalty
label-sanction-type-settlement_suspension = settlement suspended
label-sanction-type-agreement_suspension = service agreement suspended
label-sanction-type-agreement_termination = service agreement terminated
label-sanction-type-qualification_suspension = payment qualification suspended
label-sanction-type-qualification_termination = payment qualification terminated
label-sanction-type-administrative_penalty = administrative penalty
label-sanction-type-judicial_transfer = transferred to the judiciary
notice-case-not-approved = case { $id } is { $state }: only an approved case has a notice
patch-names-no-field = must name at least one field to change

## Tips

tip-text-too-long = must be at most { $max } characters
tip-region-invalid = must be a 6-digit region code
tip-subject-required = say who is reported: a code, or a name and a region
tip-facts-required = say what happened
tip-evidence-too-many = at most { $max } evidence references
tip-evidence-empty = an evidence reference must not be empty
tip-no-key = contact and payment details cannot be kept: this server has no key to seal them (MEDCREDIT_TIP_KEY); send the tip without them
tip-not-found = no tip with this number and claim code
tip-claim-empty = give payment details, or decline the reward
tip-claim-both = either give payment details or decline the reward, not both
tip-claim-closed = the reward of this tip can no longer be claimed
tip-no-reward = no reward has been proposed for this tip
tip-already-decided = this tip has already been decided
tip-reason-required = a tip not taken up needs a reason (1 to 2000 characters)
tip-subject-code-required = taking a tip up needs the code of the subject it is about
tip-subject-unknown = no subject with this code
tip-not-handler = only the inspector handling this tip, or an admin, may do this
tip-not-open = cases are linked only to a tip that is taken up and not closed
tip-case-unknown = no case with this id
tip-case-linked = this case is already linked to this tip
tip-reward-not-proposed = no reward of this tip waits for a decision
tip-reward-amount-invalid = a changed reward needs amount_fen between 0 and the policy's cap
tip-reference-invalid = is required (1 to 200 characters)
tip-paid-on-future = must not be in the future
tip-reward-not-approved = only an approved reward can be paid
tip-too-large = a tip may be at most 64 KiB
tip-rate-limited = too many tips from this client; retry in { $seconds } s
export-column-tip-number = Tip number
export-column-tip-received-at = Received at
export-column-tip-decision-due = Decision due
export-column-tip-overdue = Overdue
export-column-tip-handler = Handler
export-column-tip-cases = Cases
export-column-tip-closed-at = Closed at
export-column-tip-reward-state = Reward state
export-column-tip-reward-yuan = Reward (yuan)
export-column-tip-paid-on = Paid on
tip-form-title = Report fraud against the medical-insurance fund
tip-form-heading = Report fraud against the medical-insurance fund
tip-form-intro = Anyone may report. You may stay anonymous; contact details are kept sealed and shown only to the inspector handling your report.
tip-form-subject-code = Code of the institution, pharmacy or person (if known)
tip-form-subject-name = Name (if you do not know the code)
tip-form-region = Region code (6 digits)
tip-form-facts = What happened
tip-form-occurred = When
tip-form-place = Where
tip-form-evidence = Evidence you hold (one per line)
tip-form-wants-reward = I would like a reward if the report is confirmed
tip-form-contact = How to reach you (optional)
tip-form-submit = Send the report
tip-form-errors = Please correct the following:
tip-receipt-title = Report received
tip-receipt-heading = Your report has been received
tip-receipt-number = Report number
tip-receipt-code = Claim code
tip-receipt-warning = Write this claim code down and keep it safe. It is shown only this once and cannot be recovered; you need it to follow your report and to claim a reward.
tip-receipt-due = The authority decides whether to take the report up by { $date }.
tip-expected-form = expected Content-Type: application/x-www-form-urlencoded

## Positive credit (守信激励) and repair by activities
decision-commendation = decide the commendation
decision-repair-activity = decide the repair activity
party-commender = who proposed the commendation
party-activity-recorder = who recorded the activity
reason-practitioner-interview = { $points } points in { $cycle } (interview line { $at }): interview, and key monitoring to the end of the year (医保发〔2024〕23号)
reason-commendation-bonus = commendation { $id }: { $reason }
reason-commitment-bonus = credit commitment of { $cycle }
reason-repair-activity = repair activity { $id }: { $reason }
commendation-for-organisations-only = only institutions and pharmacies are commended
commendation-points-range = must be between { $min } and { $max } (policy)
award-already-decided = { $id } is already { $state }
no-commendation = no commendation { $id }
no-repair-activity = no repair activity { $id }
bonus-cap-reached = the bonuses of { $cycle } have reached the cap of { $cap } points
repair-activity-for-practitioners-only = only practitioners repair points by activities
repair-activity-in-the-future = may not be after today
repair-activity-of-another-cycle = must be in { $cycle }: points of an earlier year have been reset
repair-activity-allowance-used = activities have already given back the { $most } points allowed in { $cycle }
repair-activity-no-points = the practitioner has no points left to give back in { $cycle }

## Registrations and commitments (issue 20)
hospital-acts-only-for-its-own = a hospital office files and ends registrations only at its own institution
commitment-version-invalid = must be 1 to 64 letters, digits, dots, hyphens or underscores, starting with a letter or digit
commitment-kinds-invalid = must name one or more of institution, pharmacy and practitioner, each once
commitment-body-length = must be 1 to 20000 characters
commitment-grace-too-long = must be at most { $max } days (policy commitments.max_resign_within_days)
commitment-version-taken = commitment text version { $version } is already published; texts are never edited, publish a new version
commitment-text-not-after = a new text must take effect after { $day }, when version { $version } of the same kinds took effect
commitment-not-for-insured = commitments are signed by institutions, pharmacies and practitioners, not insured persons
commitment-text-unknown = is not a published commitment text for a { $kind }

## Statistics (issue 23)
stats-own-institution-only = a hospital reads only its own institution's statistics (institution_code must be its own code)
stats-to-before-from = must not be before from
stats-group-by-unknown = not a dimension to group by: { $word } (at most two, separated by a comma)
stats-region-unknown = not a shipped administrative division code: { $code }
stats-grades-earlier-cycle = must be a day of the current credit cycle (calendar year) or later
stats-year-out-of-range = must be between 1900 and 2199
export-column-stat-by-region = County
export-column-stat-by-prefecture = Prefecture
export-column-stat-by-province = Province
export-column-stat-by-subject-kind = Subject kind
export-column-stat-by-type-code = Violation type code
export-column-stat-by-severity = Severity
export-column-stat-by-sanction-type = Sanction type
export-column-stat-by-month = Month
export-column-stat-by-quarter = Quarter
export-column-stat-by-year = Year
export-column-stat-place-name = Division name
export-column-stat-approved = Cases approved
export-column-stat-voided = Cases voided
export-column-stat-recorded = Cases recorded
export-column-stat-rejected = Cases rejected
export-column-stat-major = Major cases
export-column-stat-amount-involved-fen = Amount involved (fen)
export-column-stat-amount-to-recover-fen = Amount to recover (fen)
export-column-stat-pending = Cases pending
export-column-stat-started = Sanctions started
export-column-stat-agreements-suspended = Agreements suspended
export-column-stat-agreements-terminated = Agreements terminated
export-column-stat-practitioners-suspended = Practitioner qualifications suspended
export-column-stat-practitioners-terminated = Practitioner qualifications terminated
export-column-stat-extended = Sanctions extended
export-column-stat-revoked = Sanctions revoked
export-column-stat-black-added = Black-list entries added
export-column-stat-black-ended = Black-list entries ended
export-column-stat-black-in-force = Black-list entries in force
export-column-stat-red-added = Red-list entries added
export-column-stat-red-ended = Red-list entries ended
export-column-stat-red-in-force = Red-list entries in force
export-column-stat-received = Tips received
export-column-stat-accepted = Tips accepted
export-column-stat-rewards-paid = Rewards paid
export-column-stat-rewards-paid-fen = Rewards paid (fen)
export-column-stat-cases-approved = Cases approved
export-column-stat-amount-recovered-fen = Amount recovered (fen)
export-column-stat-black-list-entries = Published black-list entries
export-column-stat-grade = Organisations graded { $grade }
export-column-stat-points-band = Practitioners with { $band } points
export-column-stat-previous = { $figure } (a year before)
export-column-stat-change = { $figure } (change)
