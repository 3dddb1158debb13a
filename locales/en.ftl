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
