"""SaaS Subscription Agreement: the clause library for the offline template engine.

A business-to-business agreement between the company ("Provider") and the
customer who orders its hosted service ("Customer"). Each clause is Markdown
with {placeholders} filled by `placeholders()`; optional sections and clauses
carry a `when` condition from CONDITIONS. Sections refer to one another by
title, never by number, because numbering depends on the options.
"""

from __future__ import annotations

from . import Clause, Library, SectionTemplate

# The options of a SaaS Subscription Agreement (see SaasRequest), as conditions for the templates.
CONDITIONS = {
    "auto_renewal": lambda r: r.auto_renewal,
    "no_auto_renewal": lambda r: not r.auto_renewal,
    "service_credits": lambda r: r.service_credits,
    "no_service_credits": lambda r: not r.service_credits,
    "dpa": lambda r: r.dpa,
    "no_dpa": lambda r: not r.dpa,
    "data_export": lambda r: r.data_export_days > 0,
    "no_data_export": lambda r: r.data_export_days == 0,
}

# Lower bounds of the service credit tiers: the first two below the availability commitment are used.
_CREDIT_THRESHOLDS = (99.0, 95.0, 90.0, 85.0, 80.0)


def _percent(value: float) -> str:
    return f"{round(value, 3):g}%"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _downtime(uptime: float) -> str:
    """The downtime a 30-day month allows at this availability, in words."""
    minutes = 30 * 24 * 60 * (100.0 - uptime) / 100.0
    if minutes < 1:
        return "less than one minute"
    if minutes < 120:
        n = round(minutes)
        return "1 minute" if n == 1 else f"{n} minutes"
    return f"{round(minutes / 60)} hours"


def values(r) -> dict[str, str]:
    annual = r.billing == "annual"
    lower = [t for t in _CREDIT_THRESHOLDS if t < r.uptime]
    website = r.website
    email = r.contact_email
    return {
        # The common references speak in the first person ("our website"); this agreement names the parties.
        "website_ref": f"Provider's website at {website}" if website else "Provider's website",
        "contact_ref": f"by email to {email}" if email else "through the contact details published on Provider's website",
        "plans": r.plans,
        "billing": r.billing,  # "monthly" | "annual"
        "billing_adverb": "annually" if annual else "monthly",
        "billing_period": "year" if annual else "month",
        "initial_term": "twelve months" if annual else "one month",
        "nonrenewal_notice": "thirty days" if annual else "seven days",
        "price_notice": "sixty days" if annual else "thirty days",
        "monthly_fee": ("one twelfth of the annual Fees for the affected Service" if annual
                        else "the Fees for the affected Service for the month in which the shortfall occurred"),
        "payment_days": str(r.payment_days),
        "payment_due": (f"within {_days(r.payment_days)} after the date of the invoice" if r.payment_days
                        else "immediately on receipt"),
        "uptime": _percent(r.uptime),
        "downtime": _downtime(r.uptime),
        "tier2": _percent(lower[0]),
        "tier3": _percent(lower[1]),
        "support_hours": r.support_hours,
        "liability_cap_months": str(r.liability_cap_months),
        "cap_period": "month" if r.liability_cap_months == 1 else f"{r.liability_cap_months} months",
        "data_export_days": str(r.data_export_days),
        "export_period": _days(r.data_export_days),
    }


LIBRARY = Library(
    doc_type="saas",
    title="SaaS Subscription Agreement",
    conditions=CONDITIONS,
    values=values,
    defined_terms='"Agreement" (this document with its Orders), "Provider" (the company), "Customer" (the business that '
                  'orders), "Service", "Customer Data", "Order", "Subscription Term", "Fees", "Authorized Users", '
                  '"Documentation", "Confidential Information"',
    instructions="The Agreement is a business-to-business contract between the company (\"Provider\") and the business "
                 "that subscribes to its hosted service (\"Customer\"); follow the options in the details (plans, billing, "
                 "renewal, payment terms, availability and service credits, support hours, data processing addendum, "
                 "liability cap, data export) and refer to other sections by title, never by number.",
    preamble="""
**Effective date:** {effective_date}

This SaaS Subscription Agreement (the "Agreement") is entered into between {company} ("Provider") and the business or other organization that accepts this Agreement or signs an Order that refers to it ("Customer"). Provider and Customer are each a "party" and together the "parties". The Agreement governs Customer's subscription to and use of {product} (the "Service", as further defined below), which is described in more detail on {website_ref}.

Customer accepts this Agreement by signing an Order that refers to it, by completing an online order or sign-up process that incorporates it, or by accessing or using the Service after being given notice of it. The individual who accepts this Agreement on Customer's behalf represents that they have the authority to bind Customer. This version of the Agreement applies from {effective_date} to each Order entered into on or after that date.

The Service is offered for business use only. Customer confirms that it enters into this Agreement in the course of its trade, business or profession and not as a consumer.
""",
    sections=(
        SectionTemplate(
            title="Definitions and Interpretation",
            clauses=(
                Clause(
                    title="Defined Terms",
                    text="""
In this Agreement, the following terms have the meanings given below, and other terms are defined where they first appear:

- "Affiliate" means any entity that directly or indirectly controls, is controlled by or is under common control with a party, where "control" means ownership of more than fifty percent of the voting interests of the entity or the power to direct its management;
- "Authorized User" means an employee, contractor or agent of Customer or its Affiliates whom Customer permits to use the Service under Customer's subscription and who has been given login credentials for that purpose;
- "Customer Data" means all data, content, files and other information that Customer or its Authorized Users submit to, store in or process through the Service, including any Personal Data contained in it, but excluding Usage Data;
- "Documentation" means the user guides, help pages and technical specifications for the Service that Provider makes generally available, as updated from time to time;
- "Fees" means the subscription fees and any other charges payable by Customer for the Service, as set out in an Order;
- "Order" means an order form, online checkout or other ordering document, agreed between the parties or accepted by Provider, that specifies the Service, the Plan, the Subscription Term and the Fees;
- "Personal Data" means any information relating to an identified or identifiable natural person that is protected as personal data or personal information under the data protection and privacy laws that apply to its processing ("Data Protection Laws");
- "Service" means {product}, made available by Provider as a hosted, software-as-a-service offering under the Plan identified in an Order, together with its Documentation and any updates that Provider provides as part of the subscription;
- "Subscription Term" means the period during which Customer is entitled to use the Service under an Order, including its initial term and any renewal term; and
- "Usage Data" means technical and statistical information about the performance, operation and use of the Service, such as log data, feature usage and configuration settings, that does not include the content of Customer Data.
""",
                ),
                Clause(
                    title="Interpretation",
                    text="""
Headings are for convenience only and do not affect the interpretation of this Agreement. Words such as "including" and "for example" introduce examples and do not limit the generality of the words that come before them. References to a section by its title are references to that section of this Agreement, and words in the singular include the plural and the other way round.

"Business Day" means a day other than a Saturday, Sunday or public holiday in the place where Provider has its principal place of business, and any reference to business hours means Provider's normal working hours on a Business Day in that place. References to "written" or "in writing" include email but exclude messages sent through chat or instant messaging tools.
""",
                ),
                Clause(
                    title="Order of Precedence",
                    text="""
Each Order is governed by and forms part of this Agreement. If there is a conflict between documents that form part of this Agreement, the following order of precedence applies, to the extent of the conflict: first, any data processing terms agreed between the parties, in relation to the processing of Personal Data only; second, the Order, in relation to the Service it covers only; third, the body of this Agreement; and fourth, the Documentation.

Any terms printed on, attached to or referred to in a purchase order, vendor registration form or similar document issued by Customer are for administrative convenience only and do not form part of this Agreement, even if Provider accepts or acknowledges that document.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Subscription and Plans",
            clauses=(
                Clause(
                    title="Provision of the Service",
                    text="""
Subject to the terms of this Agreement and to payment of the Fees, Provider will make the Service available to Customer during each Subscription Term in accordance with this Agreement, the applicable Order and the Documentation. Provider grants Customer a non-exclusive, non-transferable and non-sublicensable right, during the Subscription Term, to permit its Authorized Users to access and use the Service for Customer's internal business purposes.

Provider is responsible for hosting, operating and maintaining the Service, including the infrastructure on which it runs. Provider may use its Affiliates and third-party service providers to perform its obligations, provided that it remains responsible for their performance as if it were its own.
""",
                ),
                Clause(
                    title="Plans",
                    text="""
The Service is offered under the following subscription plans: {plans} (each a "Plan"). The features, usage limits, storage allowances, number of Authorized Users and support entitlements included in each Plan are described in the Documentation or on {website_ref}, and the Order identifies the Plan to which Customer subscribes.

Customer's use of the Service must remain within the limits of its Plan. If Customer exceeds those limits, Provider may notify Customer and, unless Customer reduces its usage within a reasonable period or agrees to move to a suitable Plan, Provider may charge for the excess usage at its then-current rates for the remainder of the Subscription Term.
""",
                ),
                Clause(
                    title="Orders and Affiliates",
                    text="""
Customer may subscribe to the Service by entering into one or more Orders. Each Order becomes binding when it has been signed by both parties or, for an online order, when Provider confirms its acceptance. Unless the Order states otherwise, subscriptions are purchased for the number of Authorized Users or other units stated in the Order and cannot be reduced during the Subscription Term.

Customer's Affiliates may use the Service under Customer's subscription, provided that Customer remains responsible for their compliance with this Agreement. An Affiliate of Customer may also enter into its own Order under this Agreement, in which case it becomes the "Customer" for the purposes of that Order.
""",
                ),
                Clause(
                    title="Changes to Plans and to the Service",
                    text="""
Customer may upgrade to a higher Plan or add Authorized Users at any time during a Subscription Term. The additional Fees are prorated for the remainder of the then-current billing period and invoiced as described in the Fees and Payment section. Customer may move to a lower Plan or reduce the number of Authorized Users only with effect from the start of the next Subscription Term.

Provider continuously develops the Service and may update, add or remove features from time to time. Provider will not, however, make any change during a Subscription Term that materially reduces the core functionality or security of the Service to which Customer subscribes, and it will give Customer reasonable advance notice of any change that requires action from Customer.
""",
                ),
                Clause(
                    title="Trials and Beta Features",
                    text="""
Provider may make the Service available free of charge for a trial period, or offer features that are identified as beta, preview, early access or similar ("Beta Features"). Trials and Beta Features are provided for evaluation purposes only, may be changed or withdrawn at any time, and are not covered by the commitments in the Service Levels and Support sections.

To the maximum extent permitted by law, trials and Beta Features are provided "as is", without any warranty, indemnity or other commitment, and Provider has no liability arising out of them except liability that cannot be excluded by law. Any Customer Data entered during a trial may be permanently deleted at the end of the trial unless Customer purchases a subscription before the trial ends.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Access and Use",
            clauses=(
                Clause(
                    title="Authorized Users and Accounts",
                    text="""
Customer is responsible for designating its Authorized Users and for ensuring that each of them keeps their login credentials confidential. Each set of credentials may be used by a single named individual only and may not be shared, although Customer may reassign a subscription from one Authorized User to another who replaces them, for example when an employee leaves.

Customer is responsible for all activity that occurs under the accounts of its Authorized Users and for their compliance with this Agreement, and any act or omission of an Authorized User is treated as an act or omission of Customer. Customer will notify Provider promptly {contact_ref} if it becomes aware of any unauthorized access to or use of the Service or of any account.
""",
                ),
                Clause(
                    title="Use Restrictions",
                    text="""
Customer will not, and will not permit any Authorized User or third party to:

- sell, resell, license, sublicense, rent, lease or otherwise make the Service available to anyone other than its Authorized Users, or use the Service to provide a service bureau, time-sharing or outsourcing service to third parties;
- copy, modify, translate or create derivative works of the Service, or decompile, disassemble, reverse engineer or otherwise attempt to derive the source code of any part of it, except to the extent that applicable law expressly permits this despite this restriction;
- access the Service in order to build a competing product or service, or to copy its features, design or user interface;
- circumvent or interfere with any security, authentication or usage limitation of the Service, or perform penetration tests, vulnerability scans or load tests on it without Provider's prior written consent;
- upload or transmit any virus, malware or other harmful code, or use the Service to store or transmit material that is unlawful, infringing, defamatory or otherwise harmful; or
- use the Service in a way that interferes with or disrupts its integrity or performance for Provider's other customers.
""",
                ),
                Clause(
                    title="Compliance with Laws and Export Controls",
                    text="""
Customer will use the Service only in accordance with this Agreement, the Documentation and all laws and regulations that apply to Customer and its use of the Service. Customer will not use the Service to send unsolicited commercial communications or to process data in a way that requires a licence, registration or authorization that Customer does not hold.

Each party will comply with the export control and economic sanctions laws that apply to it, including those in force in the country from which Provider operates ({country}). Customer represents that neither it nor any of its Authorized Users is located in a country or region subject to comprehensive sanctions or named on any government list of prohibited or restricted parties, and it will not permit the Service to be accessed or used in breach of those laws.
""",
                ),
                Clause(
                    title="Third-Party Applications",
                    text="""
The Service may allow Customer to connect or integrate applications, services or data sources that are provided by third parties and not by Provider ("Third-Party Applications"). Customer's use of a Third-Party Application is governed solely by the terms between Customer and its provider, and Provider does not warrant or support Third-Party Applications, whether or not Provider designates them as certified or recommended.

If Customer enables a Third-Party Application, Customer authorizes Provider to allow it to access and exchange Customer Data as needed for the integration to work, and Provider is not responsible for any disclosure, modification or deletion of Customer Data that results from access by a Third-Party Application.
""",
                ),
                Clause(
                    title="Suspension",
                    text="""
Provider may suspend Customer's or any Authorized User's access to all or part of the Service if it reasonably determines that (a) the use poses a security risk to the Service or to any third party, or could expose Provider or its other customers to liability; (b) Customer or an Authorized User is in material breach of the Use Restrictions or of the Compliance with Laws and Export Controls provisions; or (c) undisputed Fees are overdue as described in the Fees and Payment section.

Provider will limit any suspension to the minimum scope and duration reasonably necessary, will give Customer advance notice where practicable and otherwise as soon as possible afterwards, and will restore access promptly once the cause of the suspension has been resolved. A suspension does not relieve Customer of its obligation to pay the Fees.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Customer Data",
            clauses=(
                Clause(
                    title="Ownership of Customer Data",
                    text="""
As between the parties, Customer retains all right, title and interest, including all intellectual property rights, in and to the Customer Data. Nothing in this Agreement transfers ownership of any Customer Data to Provider, and Provider acquires no rights in Customer Data other than the limited license set out in this section.
""",
                ),
                Clause(
                    title="License to Provider",
                    text="""
Customer grants Provider and its Affiliates a worldwide, non-exclusive, royalty-free license, for the duration of this Agreement and any data export or deletion period that follows it, to host, copy, store, transmit, process and display Customer Data solely as necessary to provide, secure and support the Service, to prevent or address technical or security problems, to act on Customer's instructions, and to comply with applicable law.

Provider will not sell Customer Data, will not use it to advertise to anyone, and will not access or use it for any purpose other than those described in this Agreement. Provider personnel will access Customer Data only where this is necessary for one of those purposes, for example to resolve a support request that Customer has raised.
""",
                ),
                Clause(
                    title="Security of Customer Data",
                    text="""
Provider will implement and maintain appropriate administrative, physical and technical safeguards designed to protect the security, confidentiality and integrity of Customer Data against accidental or unlawful destruction, loss, alteration and unauthorized disclosure or access. These safeguards include encryption of Customer Data in transit and at rest, role-based access controls, logging and monitoring, regular backups, and confidentiality obligations for all personnel who may access Customer Data. Provider will not materially reduce the overall level of security of the Service during a Subscription Term.

If Provider becomes aware of any unauthorized access to, or acquisition, disclosure or loss of, Customer Data in its systems (a "Security Incident"), Provider will notify Customer without undue delay, provide the information that Customer reasonably requires to understand the incident and meet its own obligations, and take reasonable steps to contain the incident, mitigate its effects and prevent it from happening again.
""",
                ),
                Clause(
                    title="Customer's Responsibilities for Customer Data",
                    text="""
Customer is solely responsible for the accuracy, quality and legality of Customer Data and for the means by which it was acquired. Customer represents and warrants that it has obtained, and will maintain, all rights, consents and notices necessary for Provider to process Customer Data as described in this Agreement without breaching any law or the rights of any third party.

Unless the Order expressly permits it, Customer will not upload to the Service any payment card data, government identification numbers, health information or other special categories of data that are subject to heightened regulatory requirements. Customer is responsible for configuring the Service's access and sharing settings appropriately and for keeping its own copies of any Customer Data that it considers critical.
""",
                ),
                Clause(
                    title="Usage Data",
                    text="""
Provider may collect and use Usage Data to operate, maintain, secure and improve the Service and Provider's other products and services, to calculate Fees, and to produce statistics and benchmarks. Provider may disclose Usage Data only in an aggregated or de-identified form that does not identify Customer, its Authorized Users or any other individual, and that does not reveal any Customer Data.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Data Processing",
            clauses=(
                Clause(
                    title="Data Processing Addendum",
                    when="dpa",
                    text="""
To the extent that Customer Data includes Personal Data, Provider's processing of that Personal Data is governed by the data processing addendum that Provider makes available on {website_ref} or attaches to the Order (the "DPA"). The DPA is incorporated into and forms part of this Agreement, and it applies without the need for a separate signature.

If there is a conflict between the DPA and any other part of this Agreement in relation to the processing of Personal Data, the DPA prevails. Any claims brought under or in connection with the DPA are subject to the Limitation of Liability section, unless the Data Protection Laws require otherwise.
""",
                ),
                Clause(
                    title="Roles of the Parties",
                    when="dpa",
                    text="""
For the purposes of the Data Protection Laws, Customer is the controller of the Personal Data contained in Customer Data, or a processor acting on behalf of its own customers, and Provider is a processor, or a sub-processor, acting on Customer's behalf. Provider will process that Personal Data only on Customer's documented instructions, which are given by this Agreement, the Order and Customer's configuration and use of the Service, unless the law requires otherwise, in which case Provider will inform Customer of that requirement where the law permits it to do so.

Provider will ensure that every person it authorizes to process Personal Data is bound by an appropriate obligation of confidentiality. Taking into account the nature of the processing, Provider will assist Customer, by appropriate technical and organizational measures, in responding to requests from individuals exercising their rights under the Data Protection Laws, and in carrying out data protection impact assessments and consultations with supervisory authorities.
""",
                ),
                Clause(
                    title="Sub-processors",
                    when="dpa",
                    text="""
Customer gives Provider general authorization to engage sub-processors to process Personal Data in connection with the Service. Provider maintains a list of its current sub-processors, which it makes available to Customer on request or through {website_ref}, and it will give Customer at least thirty days' notice before a new sub-processor begins to process Personal Data.

Customer may object to a new sub-processor on reasonable grounds relating to data protection by notifying Provider within that notice period. The parties will then discuss the objection in good faith and, if they cannot resolve it, Customer may terminate the affected part of the Service and receive a refund of any prepaid Fees for the remainder of the Subscription Term. Provider imposes on each sub-processor data protection obligations no less protective than those in the DPA and remains responsible for its sub-processors' performance.
""",
                ),
                Clause(
                    title="International Transfers and Audits",
                    when="dpa",
                    text="""
Provider will transfer Personal Data across borders only in compliance with the Data Protection Laws, including, where required, by relying on an adequacy decision, standard contractual clauses approved by the competent authorities, or another lawful transfer mechanism described in the DPA.

On Customer's reasonable written request, and no more than once a year unless a Security Incident or a supervisory authority requires otherwise, Provider will make available the information necessary to demonstrate its compliance with the DPA, such as current third-party audit reports or certifications, and will contribute to audits as described in the DPA.
""",
                ),
                Clause(
                    title="Personal Data in the Service",
                    when="no_dpa",
                    text="""
To the extent that Customer Data includes Personal Data, Provider will process that Personal Data only to provide the Service in accordance with this Agreement and Customer's documented instructions, will protect it as described in the Security of Customer Data provisions of the Customer Data section, and will not disclose it to third parties except to the service providers that help Provider operate the Service or where the law requires it.

Customer is responsible for ensuring that it has a lawful basis for the processing of Personal Data through the Service and that it has given any notices and obtained any consents that the Data Protection Laws require.
""",
                ),
                Clause(
                    title="Additional Data Processing Terms",
                    when="no_dpa",
                    text="""
No separate data processing addendum applies to this Agreement on the date of the Order. If the Data Protection Laws that apply to Customer's use of the Service require the parties to agree written terms governing the processing of Personal Data, Provider will, on Customer's request, enter into such terms in a form that meets those requirements, and those terms will then form part of this Agreement.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Fees and Payment",
            clauses=(
                Clause(
                    title="Fees",
                    text="""
Customer will pay the Fees set out in each Order. Unless the Order states otherwise, Fees are based on the Plan and the number of Authorized Users or other units purchased, not on actual usage, and they are quoted and payable in the currency stated in the Order.

Payment obligations are non-cancellable and, except as expressly provided in this Agreement, Fees paid are non-refundable.
""",
                ),
                Clause(
                    title="Invoicing",
                    text="""
Unless the Order provides otherwise, Fees are invoiced {billing_adverb} in advance, at the start of each {billing_period} of the Subscription Term. Fees for upgrades and additional Authorized Users added during a billing period are prorated and invoiced when they are added or with the next regular invoice.

Provider will send invoices electronically to the billing contact named in the Order. Customer will keep its billing information complete and up to date, and will provide any purchase order number that it requires to appear on an invoice before that invoice is issued.
""",
                ),
                Clause(
                    title="Payment Terms",
                    text="""
Customer will pay each invoice in full {payment_due}, by bank transfer or by another payment method that Provider accepts. Where Customer pays by credit card or another automatic payment method, Customer authorizes Provider, or its payment processor, to charge all Fees to that payment method when they become due.

If Customer disputes any invoice in good faith, it must notify Provider in writing, with reasonable detail of the dispute, before the invoice falls due, and it must pay the undisputed part of the invoice on time. The parties will cooperate diligently to resolve the dispute, and Provider will not exercise its rights under the Late Payment provisions for the disputed amount while they do so.
""",
                ),
                Clause(
                    title="Late Payment",
                    text="""
If any undisputed amount is not paid when due, Provider may charge interest on the overdue amount at the rate of one percent per month, or the highest rate permitted by applicable law if that is lower, from the due date until the date of payment. Customer will also reimburse Provider's reasonable costs of collecting overdue amounts, including reasonable legal fees.

If any undisputed amount remains unpaid for more than fifteen days after Provider has notified Customer in writing that it is overdue, Provider may suspend Customer's access to the Service until the amount has been paid in full, and it may require shorter payment terms or payment in advance for future renewals or Orders.
""",
                ),
                Clause(
                    title="Taxes",
                    text="""
The Fees do not include any taxes, levies, duties or similar governmental assessments, including value added, sales, use, goods and services or withholding taxes ("Taxes"). Customer is responsible for paying all Taxes associated with its purchases under this Agreement, except for Taxes based on Provider's net income, property or employees. Where Provider is legally required to collect Taxes, it will add them to the invoice, and Customer will pay them unless it provides a valid tax exemption certificate.

If Customer is required by law to withhold any Taxes from a payment, it will increase the amount paid so that Provider receives the amount it would have received had no withholding been required, and it will provide Provider with official receipts for the amounts withheld. Where the reverse-charge mechanism applies, Customer will account for the applicable Taxes itself.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Term and Renewal",
            clauses=(
                Clause(
                    title="Term of the Agreement",
                    text="""
This Agreement begins on the date on which Customer first accepts it or signs an Order, and it continues until every Subscription Term under it has expired or been terminated, unless it is terminated earlier as described in the Termination section. If no Subscription Term is in effect, either party may terminate this Agreement by giving written notice to the other party.
""",
                ),
                Clause(
                    title="Subscription Term",
                    text="""
Each Subscription Term begins on the start date stated in the Order or, if none is stated, on the date the Order becomes binding. The initial Subscription Term is the period stated in the Order or, if no period is stated, {initial_term}. Subscriptions for additional Authorized Users added during a Subscription Term end at the same time as the underlying subscription.
""",
                ),
                Clause(
                    title="Automatic Renewal",
                    when="auto_renewal",
                    text="""
Unless the Order states otherwise, each Subscription Term renews automatically at the end of its term for a successive renewal term of the same length as the expiring term, or of twelve months if the expiring term was longer than twelve months, unless either party gives the other written notice of non-renewal at least {nonrenewal_notice} before the end of the then-current term. Customer may give notice of non-renewal {contact_ref} or through the account settings of the Service, where that option is available.

Provider may change the Fees for a renewal term by giving Customer written notice of the new Fees at least {price_notice} before the end of the then-current term. If Customer does not wish to renew at the new Fees, it may give notice of non-renewal as described above. Otherwise, the new Fees apply from the start of the renewal term, and all other Fees for the renewal term remain the same as in the expiring term.
""",
                ),
                Clause(
                    title="Expiry and Renewal by Agreement",
                    when="no_auto_renewal",
                    text="""
Subscriptions do not renew automatically. Each Subscription Term expires at the end of its term unless the parties have agreed to renew it by entering into a new Order before that date. Provider will remind Customer of the upcoming expiry at least {nonrenewal_notice} before the end of each Subscription Term.

Unless the parties agree otherwise in the new Order, the Fees for a renewed subscription are Provider's list prices in effect at the time of renewal for the relevant Plan. If a Subscription Term expires without being renewed, the provisions of the Termination section on the effect of termination apply as if the subscription had been terminated on the date of expiry.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Service Levels",
            clauses=(
                Clause(
                    title="Availability Commitment",
                    text="""
Provider will use commercially reasonable efforts to make the Service available at least {uptime} of the time in each calendar month, measured as described in this section (the "Availability Commitment"). At this level, unavailability of up to about {downtime} in a month of thirty days is within the commitment.

"Monthly Availability" is the total number of minutes in a calendar month, minus the number of minutes during which the Service was unavailable, divided by the total number of minutes in that month and expressed as a percentage, excluding in each case the Excluded Downtime described below. The Service is unavailable when Authorized Users cannot log in to it or cannot use its core functions, as confirmed by Provider's monitoring systems or by Provider's reasonable verification of Customer's report.
""",
                ),
                Clause(
                    title="Exclusions",
                    text="""
The following periods are "Excluded Downtime" and are not counted as unavailability: (a) scheduled maintenance for which Provider has given at least two Business Days' notice, which Provider will use reasonable efforts to carry out outside business hours; (b) emergency maintenance needed to address an urgent security risk or a critical defect; (c) unavailability caused by Customer, its Authorized Users, Third-Party Applications or any equipment, software or network that Provider does not control; (d) suspension of the Service as permitted by this Agreement; and (e) events described in the Force Majeure provisions of the General Provisions section.

The Availability Commitment does not apply to trials, Beta Features or features that the Documentation identifies as excluded from it, nor to any period during which Customer has undisputed Fees overdue.
""",
                ),
                Clause(
                    title="Service Credits",
                    when="service_credits",
                    text="""
If Monthly Availability in a calendar month falls below the Availability Commitment, Customer will be entitled to a credit against future Fees (a "Service Credit") equal to the following percentage of the "Monthly Fee", which is {monthly_fee}:

- Monthly Availability below {uptime} but at least {tier2}: ten percent;
- Monthly Availability below {tier2} but at least {tier3}: twenty-five percent; and
- Monthly Availability below {tier3}: fifty percent.

The total Service Credits for any calendar month will not exceed fifty percent of the Monthly Fee. Service Credits have no cash value, cannot be transferred and are applied to the next invoice issued after the credit is confirmed. If no further invoice is due because the Subscription Term has ended, Provider will instead refund the amount of any confirmed Service Credit.
""",
                ),
                Clause(
                    title="Claiming Service Credits",
                    when="service_credits",
                    text="""
To receive a Service Credit, Customer must submit a claim {contact_ref} or through Provider's support channels within thirty days after the end of the calendar month in which the shortfall occurred, identifying the dates and times of the unavailability. Provider will confirm or reasonably reject the claim, with its reasons, within thirty days of receiving it.

Service Credits, together with the termination right described under Chronic Failure in this section, are Customer's sole and exclusive remedy for any failure by Provider to meet the Availability Commitment.
""",
                ),
                Clause(
                    title="Remedial Action",
                    when="no_service_credits",
                    text="""
If Monthly Availability in any calendar month falls below the Availability Commitment, Provider will, at Customer's request, investigate the cause of the shortfall, give Customer a written report of its findings, and take the corrective measures reasonably necessary to prevent it from recurring. No service credits, fee reductions or other financial remedies apply to a failure to meet the Availability Commitment.

The remedial action described in this clause, together with the termination right described under Chronic Failure in this section, is Customer's sole and exclusive remedy for any failure by Provider to meet the Availability Commitment.
""",
                ),
                Clause(
                    title="Chronic Failure",
                    text="""
If Monthly Availability falls below the Availability Commitment in any three consecutive calendar months, or in any four calendar months within a period of twelve months, Customer may terminate the affected Order by giving Provider written notice within thirty days after the end of the last of those months. In that case, Provider will refund to Customer any prepaid Fees covering the remainder of the Subscription Term after the effective date of termination.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Support",
            clauses=(
                Clause(
                    title="Support Services",
                    text="""
Provider will provide Customer with technical support for the Service, as included in Customer's Plan, during the following hours: {support_hours} (the "Support Hours"). Authorized Users may submit support requests {contact_ref}, or through any support portal or in-app support tool that Provider makes available, and requests received outside the Support Hours will be handled when the Support Hours next begin.

Support covers questions about the use of the Service and the diagnosis and correction of defects that cause the Service not to perform materially in accordance with the Documentation. Support does not include training, consulting, custom development, data migration or assistance with Third-Party Applications, which Provider may offer separately under an Order.
""",
                ),
                Clause(
                    title="Severity Levels and Response Targets",
                    text="""
Provider will assign each support request a severity level, taking into account Customer's reasonable assessment, and will use commercially reasonable efforts to give an initial response within the following targets, measured within the Support Hours:

- Critical (the Service is unavailable, or a core function fails with no workaround, for all or most Authorized Users): within two hours;
- High (a core function is materially impaired, or a workaround is available but burdensome): within eight hours;
- Normal (a non-core function is impaired, or a question about the use of the Service): within two Business Days; and
- Low (minor issues, cosmetic defects and feature requests): within five Business Days.

Response targets describe the time within which Provider will acknowledge a request and begin work on it; they are not commitments to resolve the request within that time. Provider will keep Customer reasonably informed of its progress on Critical and High requests until they are resolved or a workaround is provided.
""",
                ),
                Clause(
                    title="Customer Cooperation",
                    text="""
Customer will designate a reasonable number of administrators who are familiar with the Service to act as its primary support contacts, and it will provide the information, access and assistance that Provider reasonably requests in order to reproduce, diagnose and resolve reported issues. Provider is not responsible for any delay in providing support that results from Customer's failure to do so.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Confidentiality",
            clauses=(
                Clause(
                    title="Meaning of Confidential Information",
                    text="""
"Confidential Information" means all non-public information that one party (the "Discloser") discloses to the other party (the "Recipient") in connection with this Agreement, whether orally, in writing or by any other means, that is marked as confidential or that a reasonable person would understand to be confidential given its nature and the circumstances of its disclosure. Customer's Confidential Information includes Customer Data, and Provider's Confidential Information includes the non-public features of the Service, the Documentation, security information and the terms of each Order, including its pricing.
""",
                ),
                Clause(
                    title="Obligations of the Recipient",
                    text="""
The Recipient will use the Discloser's Confidential Information only to exercise its rights and perform its obligations under this Agreement, and it will protect that information using at least the same degree of care that it uses to protect its own confidential information of a similar nature, and in any event no less than reasonable care.

The Recipient may disclose Confidential Information only to its and its Affiliates' employees, officers, contractors, professional advisers and, where relevant, actual or prospective investors and acquirers, who need to know it for those purposes and who are bound by confidentiality obligations at least as protective as those in this section. The Recipient is responsible for any breach of this section by the persons to whom it discloses Confidential Information.
""",
                ),
                Clause(
                    title="Exclusions",
                    text="""
Confidential Information does not include information that the Recipient can show (a) is or becomes publicly available through no fault of the Recipient; (b) was lawfully known to the Recipient before the Discloser disclosed it, without any obligation of confidentiality; (c) is lawfully received by the Recipient from a third party who is not under an obligation of confidentiality; or (d) is independently developed by the Recipient without use of or reference to the Discloser's Confidential Information. These exclusions do not apply to Personal Data contained in Customer Data.
""",
                ),
                Clause(
                    title="Compelled Disclosure",
                    text="""
The Recipient may disclose Confidential Information to the extent that it is required to do so by law, regulation or the order of a court or other competent authority, provided that, where it is legally permitted to do so, it gives the Discloser prompt prior notice of the requirement and reasonable assistance, at the Discloser's cost, if the Discloser wishes to contest the disclosure or seek a protective order. The Recipient will disclose only the part of the Confidential Information that it is legally required to disclose.
""",
                ),
                Clause(
                    title="Duration and Return",
                    text="""
The obligations in this section continue during the term of this Agreement and for five years after it ends, except that they continue for as long as the information remains a trade secret under applicable law, and for as long as Provider holds Customer Data. On the Discloser's written request after this Agreement ends, the Recipient will return or destroy the Discloser's Confidential Information, except for copies held in routine backups or retained to comply with the law, which remain subject to this section until they are deleted. Customer Data is returned and deleted as described in the Termination section.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Intellectual Property",
            clauses=(
                Clause(
                    title="Provider's Intellectual Property",
                    text="""
As between the parties, Provider and its licensors own all right, title and interest, including all intellectual property rights, in and to the Service, the Documentation, Usage Data and all software, technology, designs and materials that Provider uses to provide them, together with all improvements, modifications and derivative works of any of them, whoever creates them.

This Agreement is a subscription to use the Service, not a sale. It does not transfer to Customer any ownership of or rights in the Service other than the limited right of use expressly granted in the Subscription and Plans section, and all rights not expressly granted to Customer are reserved by Provider and its licensors.
""",
                ),
                Clause(
                    title="Feedback",
                    text="""
Customer and its Authorized Users may, but are not required to, provide Provider with suggestions, ideas, enhancement requests, recommendations or other feedback about the Service ("Feedback"). Customer grants Provider a worldwide, perpetual, irrevocable, royalty-free license to use, modify and incorporate Feedback into its products and services for any purpose, without any obligation or compensation to Customer.

Feedback is provided "as is", without any warranty from Customer, and Provider will not identify Customer as the source of any Feedback without Customer's consent. Feedback does not include Customer Data, which remains Customer's property as described in the Customer Data section, nor any other Confidential Information of Customer.
""",
                ),
                Clause(
                    title="Use of Customer's Name",
                    text="""
Provider may identify Customer as a customer of the Service, by name and logo, in its customer lists, on its website and in its marketing materials, in accordance with any trademark guidelines that Customer provides. Customer may withdraw this permission at any time by written notice to Provider, in which case Provider will stop any new use within a reasonable period. Any other publicity, such as press releases or case studies, requires Customer's prior written consent.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Warranties and Disclaimers",
            clauses=(
                Clause(
                    title="Mutual Warranties",
                    text="""
Each party represents and warrants to the other that it is duly organized and validly existing under the laws of its jurisdiction of organization, that it has full power and authority to enter into and perform this Agreement, and that its entry into and performance of this Agreement will not breach any other agreement by which it is bound. Each party will comply with all laws and regulations that apply to its performance under this Agreement.
""",
                ),
                Clause(
                    title="Service Warranty",
                    text="""
Provider warrants that, during the Subscription Term, (a) the Service will perform materially in accordance with the Documentation; (b) Provider will not materially decrease the overall functionality or security of the Service; and (c) Provider will use industry-standard measures designed to prevent the introduction of viruses, malware or other harmful code into the Service.

If Customer notifies Provider in writing of a breach of this warranty within thirty days after it first becomes aware of it, Provider will use commercially reasonable efforts to correct the non-conformity at no additional charge. If Provider cannot do so within thirty days after receiving the notice, Customer may terminate the affected Order and receive a refund of any prepaid Fees covering the remainder of its Subscription Term. These are Customer's sole and exclusive remedies for a breach of this warranty, which does not apply to non-conformities caused by Customer's misuse of the Service, by modifications not made by Provider, or by Third-Party Applications.
""",
                ),
                Clause(
                    title="Disclaimer",
                    text="""
Except as expressly set out in this Agreement, the Service, the Documentation and any support are provided "as is" and "as available". To the maximum extent permitted by law, Provider and its licensors disclaim all other warranties, conditions and representations, whether express, implied, statutory or otherwise, including any implied warranties of merchantability, satisfactory quality, fitness for a particular purpose, title and non-infringement, and any warranties arising from a course of dealing or usage of trade.

Provider does not warrant that the Service will be uninterrupted or error-free, that it will meet Customer's specific requirements, or that it will operate in combination with any hardware, software or service that Provider has not supplied. Provider is not responsible for delays, delivery failures or other damage resulting from the internet or from other networks and systems outside its reasonable control.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Indemnities",
            clauses=(
                Clause(
                    title="Indemnity by Provider",
                    text="""
Provider will defend Customer, its Affiliates and their respective officers, directors and employees against any claim, demand, suit or proceeding brought by a third party alleging that the Service, as provided by Provider and used by Customer in accordance with this Agreement, infringes or misappropriates that third party's patent, copyright, trademark or trade secret (an "Infringement Claim"), and will pay any damages, costs and reasonable legal fees finally awarded against Customer, or agreed by Provider in a settlement, in respect of that Infringement Claim.

Provider has no obligation for any Infringement Claim to the extent that it arises from (a) Customer Data or other materials provided by Customer; (b) any modification of the Service not made by or on behalf of Provider; (c) the combination of the Service with any product, service, data or process that Provider did not provide, where the claim would not have arisen without that combination; (d) Third-Party Applications; or (e) use of the Service in breach of this Agreement, or of a version of it after Provider has offered a non-infringing update at no additional charge.
""",
                ),
                Clause(
                    title="Mitigation",
                    text="""
If the Service becomes, or in Provider's reasonable opinion is likely to become, the subject of an Infringement Claim, Provider may, at its option and expense, (a) procure for Customer the right to continue using the Service; (b) modify or replace the Service so that it is no longer infringing, without materially reducing its overall functionality; or (c) if neither of those options is commercially reasonable, terminate the affected Order on written notice and refund to Customer any prepaid Fees covering the remainder of its Subscription Term.

This section states Provider's entire liability, and Customer's sole and exclusive remedy, for any actual or alleged infringement or misappropriation of third-party intellectual property rights by the Service.
""",
                ),
                Clause(
                    title="Indemnity by Customer",
                    text="""
Customer will defend Provider, its Affiliates and their respective officers, directors and employees against any claim, demand, suit or proceeding brought by a third party arising from (a) Customer Data, including any allegation that Customer Data, or Provider's use of it as permitted by this Agreement, infringes or misappropriates that third party's rights or breaches any law; or (b) use of the Service by Customer or its Authorized Users in breach of the Use Restrictions or of the Compliance with Laws and Export Controls provisions of the Access and Use section. Customer will pay any damages, costs and reasonable legal fees finally awarded against Provider, or agreed by Customer in a settlement, in respect of that claim.
""",
                ),
                Clause(
                    title="Indemnification Procedure",
                    text="""
The indemnified party must (a) notify the indemnifying party promptly in writing of the claim, although a delay in notice relieves the indemnifying party of its obligations only to the extent that the delay prejudices its defence; (b) give the indemnifying party sole control of the defence and settlement of the claim; and (c) provide reasonable cooperation and information, at the indemnifying party's expense.

The indemnified party may take part in the defence with counsel of its own choosing, at its own expense. The indemnifying party will not settle any claim in a way that requires the indemnified party to admit liability, pay any amount or take or refrain from any action, without the indemnified party's prior written consent, which may not be unreasonably withheld.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Limitation of Liability",
            clauses=(
                Clause(
                    title="Exclusion of Indirect Damages",
                    text="""
To the maximum extent permitted by law, neither party will be liable to the other, whether in contract, tort (including negligence), breach of statutory duty or otherwise, for any indirect, incidental, special, consequential, exemplary or punitive damages, or for any loss of profits, revenue, business, goodwill or anticipated savings, or for the cost of procuring substitute goods or services, arising out of or in connection with this Agreement, even if the party has been advised of the possibility of such damages.
""",
                ),
                Clause(
                    title="Liability Cap",
                    text="""
To the maximum extent permitted by law, each party's total aggregate liability arising out of or in connection with this Agreement, whether in contract, tort (including negligence), breach of statutory duty or otherwise, will not exceed the total Fees paid and payable by Customer under this Agreement in the {cap_period} immediately preceding the event that first gave rise to the liability.

This limit is aggregate and not per incident, and the existence of more than one claim does not enlarge it. Any Service Credits and refunds of prepaid Fees that Provider gives under this Agreement count towards the limit.
""",
                ),
                Clause(
                    title="Exceptions",
                    text="""
The exclusions and limits in this section do not apply to (a) Customer's obligation to pay the Fees and any Taxes; (b) a party's obligations under the Indemnities section; (c) a party's liability for fraud, fraudulent misrepresentation, gross negligence or wilful misconduct; (d) Customer's liability for breach of the Use Restrictions; or (e) any other liability that cannot be limited or excluded under applicable law.
""",
                ),
                Clause(
                    title="Basis of the Bargain",
                    text="""
The parties agree that the exclusions and limits of liability in this Agreement are reasonable, that they reflect an informed and deliberate allocation of risk between commercial parties, and that they form an essential basis of the bargain, without which Provider would not offer the Service at the agreed Fees. They apply even if any limited remedy in this Agreement fails of its essential purpose.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Termination",
            clauses=(
                Clause(
                    title="Termination for Cause",
                    text="""
Either party may terminate this Agreement, or any affected Order, by written notice to the other party if the other party (a) commits a material breach of this Agreement and does not remedy it within thirty days after receiving written notice describing the breach in reasonable detail; or (b) becomes the subject of a petition in bankruptcy or any other proceeding relating to insolvency, receivership, liquidation or assignment for the benefit of creditors, or ceases to carry on business in the ordinary course.

If Customer terminates for Provider's uncured breach, Provider will refund any prepaid Fees covering the remainder of the Subscription Term after the effective date of termination. If Provider terminates for Customer's uncured breach, Customer will pay any unpaid Fees covering the remainder of the Subscription Term of each affected Order. Termination does not relieve Customer of its obligation to pay any Fees that accrued before the effective date of termination.
""",
                ),
                Clause(
                    title="Effect of Termination",
                    text="""
When this Agreement or an Order ends for any reason, all rights of access to and use of the affected Service end, Customer will stop using it, and any outstanding Fees for the affected Service become immediately due and payable. Termination of an Order does not terminate this Agreement or any other Order, while termination of this Agreement terminates every Order under it.

Termination or expiry does not affect any rights, remedies or liabilities of either party that accrued before it took effect.
""",
                ),
                Clause(
                    title="Data Export and Deletion",
                    when="data_export",
                    text="""
For {export_period} after the effective date of termination or expiry of an Order (the "Export Period"), Provider will, on request, continue to make the Customer Data of the affected Service available to Customer so that it can be exported using the export tools of the Service, or Provider will provide an export of it in a commonly used, machine-readable format. During the Export Period, Customer may use the Service only to retrieve its Customer Data and not for any other purpose.

After the Export Period, Provider has no obligation to keep Customer Data and will delete it from its active systems, and from its backups in accordance with its normal backup cycle, within a reasonable time, unless the law requires Provider to keep it. Customer Data that remains in backups is protected as described in this Agreement until it is deleted.
""",
                ),
                Clause(
                    title="Retrieval of Customer Data",
                    when="no_data_export",
                    text="""
Customer may export its Customer Data using the export tools of the Service at any time during the Subscription Term, and it is responsible for doing so before the effective date of any termination or expiry. Provider has no obligation to keep or make available Customer Data after that date.

After the effective date of termination or expiry, Provider will delete Customer Data from its active systems, and from its backups in accordance with its normal backup cycle, within a reasonable time, unless the law requires Provider to keep it. Customer Data that remains in backups is protected as described in this Agreement until it is deleted.
""",
                ),
                Clause(
                    title="Survival",
                    text="""
Any provision of this Agreement that by its nature is intended to survive termination or expiry will survive, including the provisions on payment of accrued Fees, the Disclaimer in the Warranties and Disclaimers section, this section, and the Customer Data, Confidentiality, Intellectual Property, Indemnities, Limitation of Liability, Governing Law and Disputes and General Provisions sections.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Governing Law and Disputes",
            clauses=(
                Clause(
                    title="Governing Law",
                    text="""
This Agreement, and any dispute or claim arising out of or in connection with it or its subject matter or formation, including non-contractual disputes or claims, is governed by and will be construed in accordance with the laws of {governing_law}, without regard to conflict-of-laws principles that would require the application of the laws of another jurisdiction. The United Nations Convention on Contracts for the International Sale of Goods does not apply to this Agreement.
""",
                ),
                Clause(
                    title="Escalation",
                    text="""
Before starting any court proceedings, a party must notify the other party in writing of the dispute, with a summary of the issues and the outcome it seeks. Senior representatives of each party with authority to settle the dispute will then meet, in person or by video conference, and try in good faith to resolve it.

If the dispute has not been resolved within thirty days after the notice was given, either party may start proceedings as described in this section. This escalation process does not prevent either party from starting proceedings earlier where this is necessary to preserve a right or to avoid a limitation period expiring.
""",
                ),
                Clause(
                    title="Jurisdiction",
                    text="""
Subject to the Escalation provisions of this section, the competent courts of the country or jurisdiction in which Provider has its principal place of business ({country}) have exclusive jurisdiction to settle any dispute arising out of or in connection with this Agreement, and each party irrevocably submits to the jurisdiction of those courts and waives any objection to proceedings in them on the grounds of venue or inconvenient forum.
""",
                ),
                Clause(
                    title="Injunctive Relief",
                    text="""
A breach of the Confidentiality section or of the Use Restrictions, or any infringement of a party's intellectual property rights, may cause irreparable harm for which damages would not be an adequate remedy. Notwithstanding the Escalation and Jurisdiction provisions of this section, either party may seek injunctive or other equitable relief from any court of competent jurisdiction to protect its Confidential Information or its intellectual property rights, without having to prove actual damage or post a bond.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="General Provisions",
            clauses=(
                Clause(
                    title="Notices",
                    text="""
Notices under this Agreement must be in writing. Notices to Provider must be sent {contact_ref}, marked for the attention of the legal department, and notices to Customer will be sent to the email address of the contact named in the Order or, if none is named, of Customer's primary account administrator. Provider may also give notices that apply to all of its customers, such as notice of changes to the Documentation, through the Service or on {website_ref}.

A notice sent by email is treated as received on the Business Day after it is sent, unless the sender receives a message that it could not be delivered. Notices of breach, termination or an indemnifiable claim must state clearly that they are given under this Agreement.
""",
                ),
                Clause(
                    title="Assignment",
                    text="""
Neither party may assign or transfer this Agreement, or any of its rights or obligations under it, without the prior written consent of the other party, which may not be unreasonably withheld. Either party may, however, assign this Agreement in its entirety, without consent, to an Affiliate or to a successor in connection with a merger, acquisition, corporate reorganization or sale of all or substantially all of its assets or of the business to which this Agreement relates, provided that the assignee is not a direct competitor of the other party and agrees in writing to be bound by this Agreement. Subject to this clause, this Agreement binds and benefits the parties and their permitted successors and assigns.
""",
                ),
                Clause(
                    title="Force Majeure",
                    text="""
Neither party is liable for any failure or delay in performing its obligations under this Agreement, other than payment obligations, to the extent that the failure or delay is caused by events beyond its reasonable control, such as natural disasters, epidemics, war, terrorism, civil unrest, labor disputes not involving its own employees, governmental action, failures of public networks, utilities or third-party hosting providers, or denial-of-service attacks. The affected party will notify the other party promptly, use reasonable efforts to mitigate the effects of the event, and resume performance as soon as reasonably possible.
""",
                ),
                Clause(
                    title="Entire Agreement and Amendments",
                    text="""
This Agreement, including each Order and any documents incorporated into it by reference, is the entire agreement between the parties regarding its subject matter, and it replaces all prior and contemporaneous agreements, proposals and representations, whether written or oral, about that subject matter. Each party confirms that it has not relied on any statement, representation or promise that is not expressly set out in this Agreement.

Except as otherwise provided in this Agreement, no amendment or waiver of any provision of this Agreement is effective unless it is in writing and signed or electronically accepted by authorized representatives of both parties.
""",
                ),
                Clause(
                    title="Miscellaneous",
                    text="""
If any provision of this Agreement is held to be invalid or unenforceable, it will be enforced to the maximum extent permissible and modified to the minimum extent necessary to make it enforceable, and the remaining provisions will remain in full force and effect. A party's failure or delay in exercising any right under this Agreement does not waive that right.

The parties are independent contractors, and nothing in this Agreement creates a partnership, franchise, joint venture, agency, fiduciary or employment relationship between them. There are no third-party beneficiaries of this Agreement, except the persons entitled to be defended under the Indemnities section. This Agreement and any Order may be signed electronically and in counterparts, each of which is an original and all of which together are one instrument.
""",
                ),
            ),
        ),
    ),
)
