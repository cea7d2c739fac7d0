"""Privacy Policy: the clause library for the offline template engine.

Each clause is Markdown with {placeholders} filled by `placeholders()`; optional
sections and clauses carry a `when` condition from CONDITIONS. Sections refer to
one another by title, never by number, because numbering depends on the options.
The lists that depend on the answers (data collected, purposes, legal bases,
California categories, cookie types) are built in `values()` from fixed wording,
never from text the user typed.
"""

from __future__ import annotations

from . import Clause, Library, SectionTemplate

# Categories of personal data (see DATA_CATEGORIES): a label and what it covers, in the order of the form.
CATEGORY_TEXT = {
    "identity": ("Identity data", "such as your first and last name, your username or a similar identifier, "
                                  "and your job title where you give it to us"),
    "contact": ("Contact data", "such as your email address, postal address and telephone number"),
    "account": ("Account data", "such as your login details (passwords are stored only in hashed form), your account "
                                "settings and preferences, and the history of your account"),
    "payment": ("Payment and transaction data", "such as your billing name and address, the type, last four digits and "
                                                "expiry date of your payment card, and details of the purchases and "
                                                "payments you make; full card numbers are collected and held by our "
                                                "payment service providers, not by us"),
    "usage": ("Usage data", "such as the pages and features you use, the actions you take, the date and time of your "
                            "visits, the pages that referred you to us, and diagnostic information such as error "
                            "reports and performance logs"),
    "device": ("Device and technical data", "such as your IP address, browser type and version, operating system, "
                                            "device identifiers, language settings and time zone"),
    "location": ("Location data", "such as your approximate location derived from your IP address and, where you "
                                  "allow it in your device settings, your precise location"),
    "content": ("Content data", "such as the files, messages, comments, feedback and other material that you upload "
                                "to, create in or send through the Service, including any personal data they contain"),
    "marketing": ("Marketing and communications data", "such as your preferences for receiving marketing from us, "
                                                       "your answers to surveys, and whether you open or click on "
                                                       "the emails we send you"),
}

# Purposes (see PURPOSES): a label, what it covers, and its legal basis under the GDPR.
PURPOSE_TEXT = {
    "provide_service": (
        "Providing the Service",
        "to set up and operate the Service, deliver the features you ask for, manage your relationship with us, "
        "and send you service messages such as confirmations, technical notices and security alerts",
        "performance of our contract with you, or taking steps at your request before entering into one "
        "(Article 6(1)(b) GDPR)"),
    "billing": (
        "Billing and payments",
        "to process payments, issue invoices and receipts, manage subscriptions and refunds, and keep the "
        "financial records that the law requires",
        "performance of our contract with you (Article 6(1)(b) GDPR) and, for keeping financial and tax records, "
        "compliance with a legal obligation (Article 6(1)(c) GDPR)"),
    "support": (
        "Customer support",
        "to answer your questions, requests and complaints, help you use the Service and resolve problems you "
        "report to us",
        "performance of our contract with you (Article 6(1)(b) GDPR) where your request relates to the Service, "
        "and otherwise our legitimate interest in responding to the people who contact us (Article 6(1)(f) GDPR)"),
    "security": (
        "Security and fraud prevention",
        "to protect the Service, our users and ourselves, including by detecting, preventing and investigating "
        "fraud, abuse, security incidents and other harmful or unlawful activity",
        "our legitimate interest in keeping the Service and its users safe (Article 6(1)(f) GDPR) and, where the "
        "law requires particular security measures, compliance with a legal obligation (Article 6(1)(c) GDPR)"),
    "analytics": (
        "Analytics and improvement",
        "to understand how the Service is used, measure its performance, fix errors, and develop new features "
        "and improve existing ones",
        "our legitimate interest in understanding and improving the Service (Article 6(1)(f) GDPR) or, where the "
        "law requires it for the technologies involved, your consent (Article 6(1)(a) GDPR)"),
    "marketing": (
        "Marketing",
        "to send you news, offers and information about our products and services that may interest you, and to "
        "measure how effective our communications are",
        "your consent (Article 6(1)(a) GDPR) or, where the law allows us to market similar products and services "
        "to existing customers, our legitimate interest in promoting our business (Article 6(1)(f) GDPR)"),
    "legal_compliance": (
        "Legal compliance",
        "to comply with the laws that apply to us, respond to lawful requests from courts, regulators and other "
        "public authorities, and establish, exercise or defend legal claims",
        "compliance with a legal obligation (Article 6(1)(c) GDPR) and, for legal claims, our legitimate interest "
        "in protecting our rights (Article 6(1)(f) GDPR)"),
}

ADVERTISING_PURPOSE = (
    "Targeted advertising",
    "to show you advertising that is more relevant to your interests, on the Service and elsewhere, and to measure "
    "how effective that advertising is",
    "your consent (Article 6(1)(a) GDPR)")

# California (CCPA/CPRA) categories of personal information and the data categories above that fall within each.
CCPA_CATEGORIES = (
    ("Identifiers", ("identity", "contact", "account", "device")),
    ("Personal information described in California Civil Code section 1798.80(e)", ("identity", "contact", "payment")),
    ("Commercial information", ("payment", "marketing")),
    ("Internet or other electronic network activity information", ("usage", "device")),
    ("Geolocation data", ("location",)),
    ("Audio, electronic, visual or similar information", ("content",)),
)


def _bullets(items: list[str]) -> str:
    """A Markdown list in the style of the Terms: items end with ";", the last but one "; and", the last "."."""
    if len(items) == 1:
        return f"- {items[0]}."
    lines = [f"- {item};" for item in items[:-2]] + [f"- {items[-2]}; and", f"- {items[-1]}."]
    return "\n".join(lines)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _purposes(r) -> list[tuple[str, str, str]]:
    chosen = [PURPOSE_TEXT[p] for p in PURPOSE_TEXT if p in r.purposes]
    if r.advertising:
        chosen.append(ADVERTISING_PURPOSE)
    return chosen or [PURPOSE_TEXT["provide_service"]]


def _ccpa_list(r) -> str:
    items = []
    for name, sources in CCPA_CATEGORIES:
        ours = [CATEGORY_TEXT[c][0].lower() for c in sources if c in r.data_categories]
        if ours:
            items.append(f"**{name}**, namely our {_join(ours)}")
    if r.advertising:
        items.append("**Inferences** drawn from the information above to create a profile of your likely interests, "
                     "used for targeted advertising")
    sensitive = [text for cat, text in (("account", "account login details"), ("location", "precise geolocation, "
                 "where you allow it")) if cat in r.data_categories]
    if sensitive:
        items.append(f"**Sensitive personal information**, limited to {_join(sensitive)}")
    return _bullets(items or ["**Identifiers**, limited to the contact details you give us when you get in touch"])


def _sold_categories(r) -> str:
    cats = r.data_categories
    sold = []
    if any(c in cats for c in ("identity", "contact", "account", "device")):
        sold.append("identifiers")
    if any(c in cats for c in ("usage", "device")):
        sold.append("internet or other electronic network activity information")
    if "location" in cats:
        sold.append("approximate geolocation data")
    if r.advertising:
        sold.append("inferences about your interests")
    return _join(sold) if sold else "the categories of personal information listed above"


def _sources(r) -> str:
    cats = r.data_categories
    actions = []
    if "account" in cats:
        actions.append("when you create or update an account")
    if "payment" in cats:
        actions.append("when you make a purchase")
    if "content" in cats:
        actions.append("when you upload or share content through the Service")
    if "marketing" in cats:
        actions.append("when you sign up for our communications or answer a survey")
    actions.append("when you fill in a form, contact us or otherwise communicate with us")
    items = [f"**Directly from you**, {_join(actions)}"]
    automatic = ["your " + CATEGORY_TEXT[c][0].lower() for c in ("usage", "device", "location") if c in cats]
    if automatic:
        how = "our servers and, where applicable, cookies and similar technologies" if r.cookies else "our servers"
        items.append(f"**Automatically**, when you use the Service, through {how}, which record {_join(automatic)}")
    third = ["service providers that help us operate the Service"]
    if "payment" in cats or "billing" in r.purposes:
        third.append("payment service providers (which confirm the status of your payments)")
    if "analytics" in r.purposes:
        third.append("analytics providers (which tell us how the Service is used)")
    if r.advertising:
        third.append("advertising partners (which tell us how our advertising performs)")
    third.append("any third-party service you choose to connect to the Service or use to sign in")
    items.append(f"**From third parties**, such as {_join(third)}")
    return _bullets(items)


def _provider_types(r) -> str:
    types = ["hosting and cloud infrastructure", "data storage", "email delivery"]
    if "support" in r.purposes:
        types.append("customer support tools")
    if "payment" in r.data_categories or "billing" in r.purposes:
        types.append("payment processing")
    if "analytics" in r.purposes:
        types.append("analytics")
    if "marketing" in r.purposes:
        types.append("marketing communications")
    types.append("security services")
    return _join(types)


def _cookie_types(r) -> str:
    items = [
        "**Strictly necessary cookies**, which are essential for the Service to work, for example to keep you "
        "signed in, remember your choices during a session and protect against fraud; they cannot be switched off",
        "**Preference cookies**, which remember your settings, such as your language, so that you do not have to "
        "enter them again",
    ]
    if "analytics" in r.purposes:
        items.append("**Analytics cookies**, which help us understand how visitors use the Service, for example "
                     "which pages are visited most often and whether errors occur, so that we can improve it")
    if r.advertising:
        items.append("**Advertising cookies**, which are used to show you advertising that is more relevant to your "
                     "interests and to measure how effective that advertising is")
    return _bullets(items)


# The options of a Privacy Policy (see PrivacyRequest), as conditions and values for the templates.
CONDITIONS = {
    "dpo": lambda r: bool(r.dpo_email),
    "gdpr": lambda r: r.gdpr,
    "ccpa": lambda r: r.ccpa,
    "cookies": lambda r: r.cookies,
    "advertising": lambda r: r.advertising,
    "advertising_cookies": lambda r: r.cookies and r.advertising,
    "international_transfers": lambda r: r.international_transfers,
    "sells_data": lambda r: r.sells_data,
    "no_sells_data": lambda r: not r.sells_data,
    "children": lambda r: r.children,
    "no_children": lambda r: not r.children,
    "marketing": lambda r: "marketing" in r.purposes or "marketing" in r.data_categories,
}


def values(r) -> dict[str, str]:
    dpo = r.dpo_email
    purposes = _purposes(r)
    return {
        "data_list": _bullets([f"**{label}**, {text}" for key, (label, text) in CATEGORY_TEXT.items()
                               if key in r.data_categories]
                              or ["**Contact data**, limited to the details you give us when you get in touch, "
                                  "such as your name, your email address and the content of your message"]),
        "source_list": _sources(r),
        "provider_types": _provider_types(r),
        "purpose_list": _bullets([f"**{label}**: {text}" for label, text, _ in purposes]),
        "basis_list": _bullets([f"**{label}**: {basis}" for label, _, basis in purposes]),
        "ccpa_list": _ccpa_list(r),
        "sold_categories": _sold_categories(r),
        "cookie_types": _cookie_types(r),
        "ad_technologies": ("cookies and similar technologies, as described in the Cookies and Similar Technologies "
                            "section" if r.cookies else "advertising identifiers provided by your device or browser"),
        "retention": f"{r.retention_months} month" + ("s" if r.retention_months != 1 else ""),
        "dpo_ref": f"by email at {dpo}" if dpo else "",
        "dpo_contact": (f" You can also contact our data protection officer directly by email at {dpo}." if dpo
                        else ""),
    }


LIBRARY = Library(
    doc_type="privacy",
    title="Privacy Policy",
    conditions=CONDITIONS,
    values=values,
    defined_terms='"Policy" (this document), "Service", "personal data" (any information relating to an identified or '
                  'identifiable person), "we"/"us"/"our" (the company, as controller), "you"/"your" (the person whose '
                  'personal data it is)',
    instructions="The Policy tells the users of the company's service, as data subjects, what personal data the "
                 "company collects as controller, why and on what legal basis, with whom it is shared, how long it "
                 "is kept and what rights they have; cover exactly the data categories and purposes in the details, "
                 "and follow the options (GDPR, CCPA, sale or sharing of data, cookies, advertising, international "
                 "transfers, children, data protection officer).",
    preamble="""
**Effective date:** {effective_date}

This Privacy Policy (the "Policy") explains how {company} ("we", "us" or "our") collects, uses, shares and protects personal data about you when you use {product}, visit {website_ref} or otherwise interact with us (together, the "Service"). It also explains the choices you have and the rights you can exercise in relation to your personal data.

We are committed to handling your personal data fairly, lawfully and transparently. Please read this Policy carefully. If you have any questions about it, or about how we handle your personal data, you can contact us {contact_ref}.
""",
    sections=(
        SectionTemplate(
            title="About This Policy",
            clauses=(
                Clause(
                    title="Scope of This Policy",
                    text="""
This Policy applies to personal data that we process about visitors to and users of the Service, about people who contact us, and about representatives of our customers, suppliers and partners with whom we deal in connection with the Service.

It does not apply to websites, applications or services operated by third parties, even where the Service links to them or lets you connect to them. Those third parties have their own privacy policies, and we encourage you to read them. Where we process personal data only on behalf of a business customer and on its instructions, that customer's own privacy policy applies to that processing, and we act as its service provider or processor.
""",
                ),
                Clause(
                    title="Who Is Responsible for Your Personal Data",
                    text="""
{company_line} is responsible for the personal data described in this Policy. Under the data protection laws that apply to us, including, where relevant, the EU and UK General Data Protection Regulation (the "GDPR"), this means that we act as the "controller" of your personal data: we decide why and how it is processed.

You can contact us about any matter relating to your personal data {contact_ref}. Further information about us and the Service is available on {website_ref}.
""",
                ),
                Clause(
                    title="Data Protection Officer",
                    when="dpo",
                    text="""
We have appointed a data protection officer, who oversees our compliance with data protection law and with this Policy. You can contact our data protection officer {dpo_ref} with any question about how we process your personal data or about your rights.

Our data protection officer acts independently in that role and will treat your enquiry confidentially.
""",
                ),
                Clause(
                    title="Key Terms",
                    text="""
In this Policy, "personal data" means any information that relates to an identified or identifiable living individual, such as a name, an email address or an online identifier; it includes what some laws call "personal information". "Processing" means anything that is done with personal data, such as collecting, storing, using, disclosing or deleting it.

"You" and "your" refer to the individual whose personal data we process. Words such as "including" and "for example" introduce examples and do not limit the generality of the words that come before them.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Personal Data We Collect",
            clauses=(
                Clause(
                    title="Categories of Personal Data",
                    text="""
Depending on how you use the Service and interact with us, we collect and process the following categories of personal data:

{data_list}

We collect only the personal data that is adequate, relevant and limited to what is necessary for the purposes described in the How We Use Personal Data section.
""",
                ),
                Clause(
                    title="How We Collect Personal Data",
                    text="""
We obtain personal data from the following sources:

{source_list}

Where we receive personal data from a third party, we take reasonable steps to confirm that it was collected lawfully and that the third party was entitled to share it with us.
""",
                ),
                Clause(
                    title="Sensitive Personal Data",
                    text="""
We do not ask for, and we ask you not to give us, any sensitive personal data, such as information about your racial or ethnic origin, political opinions, religious or philosophical beliefs, trade union membership, health, sex life or sexual orientation, genetic or biometric data, or criminal convictions and offences.

If you choose to include such information in material you send to us or through the Service, we will process it only as far as necessary to handle that material, and only where the law allows us to do so.
""",
                ),
                Clause(
                    title="If You Do Not Provide Personal Data",
                    text="""
Where we need personal data to provide the Service to you or to comply with the law, we will tell you when we collect it. If you do not provide that data, we may not be able to provide the Service, or some of its features, to you. Where providing personal data is optional, for example when you answer a survey, there are no consequences if you choose not to provide it.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="How We Use Personal Data",
            clauses=(
                Clause(
                    title="Our Purposes",
                    text="""
We use personal data only for the following purposes:

{purpose_list}

We use for each purpose only the categories of personal data that are relevant to it, and we limit access to personal data within our organization to the people who need it for that purpose.
""",
                ),
                Clause(
                    title="Targeted Advertising",
                    when="advertising",
                    text="""
With your consent where the law requires it, we use personal data about your use of the Service and your interactions with our advertising to show you advertising that is more relevant to your interests, to limit how often you see the same advertisement, and to measure how effective our campaigns are. To do this, we and the advertising providers we work with use {ad_technologies}.

You can refuse or withdraw your consent to targeted advertising at any time, without affecting the Service itself. If you opt out, you will still see advertising, but it will be less relevant to you.
""",
                ),
                Clause(
                    title="Aggregated and De-identified Data",
                    text="""
We may combine personal data into aggregated statistics, or de-identify it so that it can no longer reasonably be linked to you, and use the result for any of the purposes described in this section, including to prepare reports about the use of the Service. We will not attempt to re-identify data that we have de-identified, except as permitted by law, for example to test that our de-identification methods work.
""",
                ),
                Clause(
                    title="Automated Decision-Making",
                    text="""
We do not make decisions about you based solely on automated processing, including profiling, that produce legal effects concerning you or that similarly significantly affect you. If we ever plan to do so, we will tell you in advance, explain the logic involved, and tell you about your rights, including any right to obtain human review of the decision.
""",
                ),
                Clause(
                    title="New Purposes",
                    text="""
We use personal data only for the purposes for which we collected it, unless we reasonably consider that we need to use it for another purpose that is compatible with the original one. If we need to use personal data for an unrelated purpose, we will tell you beforehand, explain the legal basis that allows us to do so and, where the law requires it, ask for your consent.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Legal Bases for Processing",
            when="gdpr",
            clauses=(
                Clause(
                    title="The Legal Bases We Rely On",
                    text="""
Where the GDPR applies, we may process personal data only where we have a legal basis for doing so. Depending on the purpose, we rely on one or more of the following legal bases:

- **Contract**: the processing is necessary to perform our contract with you or to take steps at your request before entering into a contract;
- **Legitimate interests**: the processing is necessary for our legitimate interests or those of a third party, and those interests are not overridden by your interests, rights and freedoms;
- **Consent**: you have given us your consent to process your personal data for a specific purpose; and
- **Legal obligation**: the processing is necessary to comply with a legal obligation to which we are subject.
""",
                ),
                Clause(
                    title="Purposes and Their Legal Bases",
                    text="""
The legal bases on which we rely for each of the purposes described in the How We Use Personal Data section are as follows:

{basis_list}

Where we rely on more than one legal basis for a purpose, the basis that applies depends on the specific circumstances of the processing. You can ask us at any time which legal basis applies to a particular processing activity.
""",
                ),
                Clause(
                    title="Legitimate Interests",
                    text="""
Where we rely on our legitimate interests, we carry out a balancing test to make sure that our interests are not overridden by your interests, rights and freedoms, taking into account the nature of the data, your reasonable expectations and the safeguards we apply. You can ask us for more information about this balancing test by contacting us {contact_ref}.

You have the right to object at any time to processing that is based on our legitimate interests, as described in the European Privacy Rights section.
""",
                ),
                Clause(
                    title="Consent",
                    text="""
Where we rely on your consent, we ask for it in a clear and specific way, and you are free to refuse it. You may withdraw your consent at any time, as easily as you gave it, for example by changing your settings in the Service, by using the unsubscribe link in our emails or by contacting us {contact_ref}.

Withdrawing your consent does not affect the lawfulness of any processing carried out on the basis of your consent before you withdrew it, or of processing that we carry out on another legal basis.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="How We Share Personal Data",
            clauses=(
                Clause(
                    title="Service Providers and Processors",
                    text="""
We share personal data with service providers that process it on our behalf and on our instructions to help us operate the Service, such as providers of {provider_types}.

These service providers act as our processors or service providers. We choose them carefully, and we enter into written agreements with them that require them to use personal data only to provide their services to us, to keep it confidential and secure, and to delete or return it when their services end.
""",
                ),
                Clause(
                    title="Advertising Providers",
                    when="advertising",
                    text="""
We work with advertising providers that help us show advertising and measure its effectiveness, such as advertising networks and measurement services. They may receive information about your use of the Service and your interactions with advertising, so that they can show advertising to you and tell us how it performs.

Where these providers act as our service providers, they may use that information only on our behalf. Where they use it for their own purposes as well, their use is governed by their own privacy policies, and we ask for your consent before sharing where the law requires it.
""",
                ),
                Clause(
                    title="Sale and Sharing of Personal Data",
                    when="sells_data",
                    text="""
We make some personal data available to advertising and data partners, who may use it for their own purposes, including to show you advertising tailored to your interests across websites and applications that are not ours. Under California law and the privacy laws of some other US states, these disclosures may count as a "sale" of personal data or as "sharing" it for cross-context behavioral advertising.

Where the GDPR or similar laws apply, we make such disclosures only with your consent. Wherever you live, you can opt out of these disclosures at any time, as described in the Your Privacy Choices section.
""",
                ),
                Clause(
                    title="No Sale of Personal Data",
                    when="no_sells_data",
                    text="""
We do not sell personal data, and we do not share it with third parties for cross-context behavioral advertising, as those terms are defined in the privacy laws of California and other US states. We do not rent or trade personal data, and we do not make it available to third parties for their own marketing purposes.
""",
                ),
                Clause(
                    title="Other Recipients",
                    text="""
We may also disclose personal data:

- to our affiliates, where necessary for the purposes described in this Policy and subject to the same protections;
- to our professional advisers, such as lawyers, accountants, auditors and insurers, where necessary for them to advise or protect us;
- to courts, regulators, law enforcement and other public authorities, where we are required to do so by law or where disclosure is necessary to protect our rights, the safety of our users or the public, or to prevent fraud;
- to a buyer, investor or successor, and their advisers, in connection with a proposed or actual merger, acquisition, financing, reorganization or sale of all or part of our business, subject to confidentiality obligations; and
- to anyone else, with your consent or at your direction, for example when you ask us to connect the Service to a third-party service.

If ownership or control of our business changes, the new owner will be bound by this Policy for the personal data it receives, and we will tell you before your personal data becomes subject to a different privacy policy.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="International Data Transfers",
            when="international_transfers",
            clauses=(
                Clause(
                    title="Where We Process Personal Data",
                    text="""
We and our service providers process personal data in the country or jurisdiction from which we operate ({country}) and in other countries where we or they have operations. As a result, your personal data may be transferred to, stored in and processed in countries other than the one in which you live, including countries outside the European Economic Area (the "EEA"), the United Kingdom and Switzerland whose data protection laws may be different from, and in some cases less protective than, those of your country.
""",
                ),
                Clause(
                    title="Safeguards for Transfers",
                    text="""
Where we transfer personal data from the EEA, the United Kingdom or Switzerland to another country, we make sure that it remains protected by one of the following safeguards:

- the country has been found by the European Commission, or by the competent UK or Swiss authority, to provide an adequate level of protection for personal data (an "adequacy decision"), including, where applicable, through a recipient's certification under a framework recognized by such a decision;
- we have entered into the Standard Contractual Clauses approved by the European Commission, together with the UK International Data Transfer Addendum or the equivalent Swiss clauses where required; or
- another transfer mechanism or derogation permitted by applicable law applies.

Where we rely on the Standard Contractual Clauses, we also assess the laws of the destination country and apply supplementary technical and organizational measures, such as encryption, where they are needed to keep the level of protection essentially equivalent.
""",
                ),
                Clause(
                    title="Further Information",
                    text="""
You can ask us for more information about the safeguards we use for international transfers, and for a copy of the relevant safeguards, by contacting us {contact_ref}. We may redact commercially sensitive terms from any copy that we provide.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Data Retention",
            clauses=(
                Clause(
                    title="How Long We Keep Personal Data",
                    text="""
We keep personal data only for as long as we need it for the purposes for which we collected it. In general, we keep the personal data associated with your account for as long as your account remains open, and for {retention} after it is closed or, if you do not have an account, for {retention} after your last interaction with us. This period allows us to deal with any follow-up questions, complaints or claims, and to restore information in case of an error.
""",
                ),
                Clause(
                    title="Longer or Shorter Retention",
                    text="""
We may keep certain personal data for longer where the law requires or permits us to do so, for example to meet tax, accounting and other record-keeping obligations, to resolve disputes, or to establish, exercise or defend legal claims. In that case, we keep only the data that is needed for that purpose, and only for as long as it is needed.

We delete some data sooner where it is no longer useful, for example technical logs that are kept only for a short period for security and troubleshooting purposes, and we stop processing data that we process on the basis of your consent once you withdraw it.
""",
                ),
                Clause(
                    title="Deletion and Anonymization",
                    text="""
At the end of the retention period, we securely delete or anonymize personal data. Copies held in backups are deleted in the normal course of our backup cycle, and in the meantime we keep them secure and do not use them for any purpose other than restoring our systems. Anonymized data, which can no longer be linked to you, may be kept and used without further notice to you.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Data Security",
            clauses=(
                Clause(
                    title="Our Security Measures",
                    text="""
We use appropriate technical and organizational measures to protect personal data against accidental or unlawful destruction, loss, alteration, unauthorized disclosure and unauthorized access. These measures include encryption of data in transit and, where appropriate, at rest, access controls based on the principle of least privilege, monitoring of our systems, regular testing of our security, and confidentiality obligations for our staff and service providers.

We review and update these measures regularly, taking into account the state of the art, the cost of implementation, and the nature, scope, context and purposes of our processing, as well as the risks to your rights and freedoms.
""",
                ),
                Clause(
                    title="Your Role in Keeping Data Secure",
                    text="""
No method of transmission over the internet or of electronic storage is completely secure, so we cannot guarantee the absolute security of your personal data. You can help by using a strong and unique password, keeping your login details confidential, signing out after using shared devices, and contacting us without delay {contact_ref} if you believe that your account or your personal data has been compromised.
""",
                ),
                Clause(
                    title="Security Incidents",
                    text="""
If we become aware of a personal data breach, we will take prompt steps to contain it and to limit its consequences. Where the law requires it, we will notify the competent supervisory authority and inform you without undue delay, explaining what happened, the likely consequences and the measures we have taken or recommend that you take.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="European Privacy Rights",
            when="gdpr",
            clauses=(
                Clause(
                    title="Your Rights",
                    text="""
If you are in the EEA or the United Kingdom, or if the GDPR otherwise applies to our processing of your personal data, you have the following rights, subject to the conditions and exceptions set out in the law:

- **Access**: to obtain confirmation of whether we process personal data about you, and a copy of that data together with information about how we process it;
- **Rectification**: to have inaccurate personal data about you corrected and incomplete personal data completed;
- **Erasure**: to have your personal data deleted, for example where it is no longer needed for the purposes for which it was collected or where you have withdrawn your consent and no other legal basis applies;
- **Restriction**: to ask us to limit our processing of your personal data, for example while we verify its accuracy or consider an objection;
- **Portability**: to receive the personal data that you have provided to us in a structured, commonly used and machine-readable format, and to have it transmitted to another controller where this is technically feasible, where the processing is based on your consent or on a contract and is carried out by automated means;
- **Objection**: to object to processing that is based on our legitimate interests, and to processing for direct marketing purposes, as described below;
- **Withdrawal of consent**: to withdraw, at any time, any consent you have given us; and
- **Complaint**: to lodge a complaint with a data protection supervisory authority, as described below.
""",
                ),
                Clause(
                    title="Objecting and Withdrawing Consent",
                    text="""
You may object at any time, on grounds relating to your particular situation, to processing of your personal data that is based on our legitimate interests. We will then stop that processing unless we can demonstrate compelling legitimate grounds that override your interests, rights and freedoms, or unless we need the data to establish, exercise or defend legal claims. You may object to processing for direct marketing purposes at any time, for any reason, and we will then stop that processing.

Where we process your personal data on the basis of your consent, you may withdraw your consent at any time. This will not affect the lawfulness of processing carried out before you withdrew it.
""",
                ),
                Clause(
                    title="How to Exercise Your Rights",
                    text="""
You can exercise any of your rights by contacting us {contact_ref}. We will respond without undue delay and in any event within one month of receiving your request. That period may be extended by up to two further months where a request is complex or where we receive a large number of requests, in which case we will tell you within the first month and explain why.

We may ask you for information to confirm your identity before we act on your request, to make sure that we do not disclose personal data to the wrong person. Exercising your rights is free of charge, although we may charge a reasonable fee, or refuse to act, where a request is manifestly unfounded or excessive. If we cannot comply with your request, we will explain why.
""",
                ),
                Clause(
                    title="Complaints to a Supervisory Authority",
                    text="""
If you have concerns about how we handle your personal data, we encourage you to contact us first so that we can try to resolve them. You also have the right to lodge a complaint with a data protection supervisory authority, in particular in the country of the EEA where you live or work or where you believe an infringement has taken place. In the United Kingdom, the supervisory authority is the Information Commissioner's Office.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="California Privacy Rights",
            when="ccpa",
            clauses=(
                Clause(
                    title="Information for California Residents",
                    text="""
This section applies to you if you are a resident of California, and supplements the rest of this Policy in accordance with the California Consumer Privacy Act, as amended by the California Privacy Rights Act (together, the "CCPA"). In this section, "personal information" has the meaning given to it in the CCPA.

In the past 12 months, we have collected the following categories of personal information about California residents, using the data categories described in the Personal Data We Collect section:

{ccpa_list}

We collect this personal information from the sources, and use it for the business and commercial purposes, described in the Personal Data We Collect and How We Use Personal Data sections. We disclose each of these categories for business purposes to the categories of recipients described in the How We Share Personal Data section, and we keep it for the periods described in the Data Retention section.
""",
                ),
                Clause(
                    title="Your California Rights",
                    text="""
Subject to the conditions and exceptions in the CCPA, you have the following rights:

- **Right to know**: to request that we disclose the categories and specific pieces of personal information we have collected about you, the categories of sources from which it was collected, the business or commercial purposes for collecting, selling or sharing it, and the categories of third parties to which we have disclosed it;
- **Right to delete**: to request that we delete personal information that we have collected from you;
- **Right to correct**: to request that we correct inaccurate personal information that we hold about you;
- **Right to opt out of sale or sharing**: to direct us not to sell your personal information or share it for cross-context behavioral advertising;
- **Right to limit the use of sensitive personal information**: to direct us to limit our use and disclosure of your sensitive personal information to the purposes permitted by the CCPA, such as providing the Service and keeping it secure; and
- **Right to non-discrimination**: not to be discriminated against for exercising any of these rights, for example by being denied the Service or charged a different price.

We use and disclose sensitive personal information only for the purposes permitted by the CCPA without offering a right to limit, and we do not use it to infer characteristics about you. We do not offer financial incentives in exchange for personal information.
""",
                ),
                Clause(
                    title="Sale and Sharing of Personal Information",
                    when="sells_data",
                    text="""
In the past 12 months, we have sold or shared {sold_categories} to advertising and data partners, for the purposes of targeted advertising and measuring its effectiveness, as described in the How We Share Personal Data section. You can opt out at any time, as described in the Do Not Sell or Share My Personal Information part of the Your Privacy Choices section.

We do not sell or share the personal information of consumers we know to be under 16 years of age.
""",
                ),
                Clause(
                    title="Sale and Sharing of Personal Information",
                    when="no_sells_data",
                    text="""
We do not sell personal information and we do not share it for cross-context behavioral advertising, and we have not done so in the past 12 months. We do not sell or share the personal information of consumers under 16 years of age. If this changes, we will update this Policy and give you the opportunity to opt out before any sale or sharing takes place.
""",
                ),
                Clause(
                    title="Exercising Your California Rights",
                    text="""
You can submit a request to know, delete or correct personal information by contacting us {contact_ref}. We will confirm receipt of your request within 10 business days and respond within 45 calendar days. If we need more time, we will tell you why, and we may take up to 45 further days where the law allows it.

To protect your personal information, we will verify your identity before acting on a request to know, delete or correct, usually by matching information you give us with information we already hold about you. You may use an authorized agent to submit a request on your behalf; we may ask the agent for proof of your signed permission and ask you to verify your identity directly with us, unless the agent holds a valid power of attorney.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Your Privacy Choices",
            clauses=(
                Clause(
                    title="Accessing and Updating Your Information",
                    text="""
You can review and update much of your personal data yourself through the settings of the Service, where that option is available. You can also ask us at any time to correct or update personal data that we hold about you, or to delete it, by contacting us {contact_ref}. Keeping your information accurate and up to date helps us to provide the Service to you.
""",
                ),
                Clause(
                    title="Marketing Communications",
                    when="marketing",
                    text="""
You can opt out of receiving marketing communications from us at any time by using the unsubscribe link included in each marketing email, by changing your preferences in the Service where that option is available, or by contacting us {contact_ref}. We will act on your request promptly.

If you opt out, we will keep a record of your choice so that we can respect it, and we may still send you service messages that are not marketing, such as messages about your account, transactions or changes to the Service.
""",
                ),
                Clause(
                    title="Do Not Sell or Share My Personal Information",
                    when="sells_data",
                    text="""
You have the right to opt out of the sale of your personal data and of its sharing for cross-context behavioral or targeted advertising. To do so, use the "Do Not Sell or Share My Personal Information" link on {website_ref}, or contact us {contact_ref} and tell us that you wish to opt out. You do not need to create an account to opt out, and we will not ask you for more information than we need to act on your request.

We also treat an opt-out preference signal sent by your browser or device, such as the Global Privacy Control, as a valid request to opt out for that browser or device and, where we can associate it with you, for your account. Once you have opted out, we will wait at least 12 months before asking you to opt back in.
""",
                ),
                Clause(
                    title="Rights in Other Jurisdictions",
                    text="""
Depending on where you live, the law may give you further rights in relation to your personal data, such as the rights of residents of certain US states to access, correct, delete and obtain a copy of their personal data, to opt out of targeted advertising, sale and certain kinds of profiling, and to appeal if we decline to act on their request. We will honor these rights as required by the law that applies to you.

To exercise any of your rights, contact us {contact_ref}. If we decline to act on your request, we will explain why and, where the law provides for it, tell you how to appeal our decision.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Cookies and Similar Technologies",
            when="cookies",
            clauses=(
                Clause(
                    title="What Cookies Are",
                    text="""
Cookies are small text files that a website places on your device when you visit it. Similar technologies, such as local storage, pixels and software development kits, work in comparable ways. They allow a website or application to recognize your device, remember information about your visit and collect information about how the Service is used.

Some cookies are placed by us ("first-party cookies") and others by third parties that provide services to us ("third-party cookies"). Some are deleted when you close your browser ("session cookies"), while others remain on your device for a set period ("persistent cookies").
""",
                ),
                Clause(
                    title="Cookies We Use",
                    text="""
We use the following types of cookies and similar technologies:

{cookie_types}

Where the law requires it, for example in the EEA and the United Kingdom, we ask for your consent before placing any cookie that is not strictly necessary, and we do not place such cookies unless you have given your consent.
""",
                ),
                Clause(
                    title="Advertising Cookies",
                    when="advertising_cookies",
                    text="""
Advertising cookies may be placed by us or by the advertising providers we work with. They collect information such as the pages you visit, the advertisements you see and interact with, and an identifier for your browser or device, and they may be used to build a profile of your interests so that you are shown more relevant advertising on the Service and on other websites and applications.

You can refuse or withdraw your consent to advertising cookies at any time through our cookie settings, without affecting your ability to use the Service. You can also use the opt-out tools offered by industry bodies and by your device's operating system, such as the option to reset or limit the use of your advertising identifier.
""",
                ),
                Clause(
                    title="Managing Cookies",
                    text="""
You can manage your cookie preferences at any time through the cookie settings we provide on the Service, where available. Most browsers also let you refuse or delete cookies through their settings; the help pages of your browser explain how. If you block strictly necessary cookies, some parts of the Service may not work properly.

Some browsers send a "Do Not Track" signal. Because there is no common standard for how to respond to such signals, we do not currently respond to them, but you can use the other choices described in this section to control how cookies are used.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Children's Privacy",
            clauses=(
                Clause(
                    title="Children Under 16",
                    when="no_children",
                    text="""
The Service is not directed at children, and we do not knowingly collect personal data from anyone under the age of 16. If you are under 16, please do not use the Service or give us any personal data.
""",
                ),
                Clause(
                    title="If We Learn That We Hold a Child's Data",
                    when="no_children",
                    text="""
If you are a parent or guardian and you believe that your child has given us personal data without your consent, please contact us {contact_ref}. If we learn that we have collected personal data from a child under 16 without the consent that the law requires, we will delete it as quickly as possible.
""",
                ),
                Clause(
                    title="Services Directed at Children",
                    when="children",
                    text="""
Parts of the Service are directed at children, and we take particular care to protect the privacy of children who use it. This section explains how we handle personal data of children under the age of 13, or under the higher age at which a child can consent to the processing of personal data in their country, which in the EEA and the United Kingdom ranges from 13 to 16 (a "child").

We collect from a child only the personal data that is reasonably necessary for the child to take part in the activity concerned, and we do not make a child's participation in any activity conditional on the child providing more personal data than is necessary for it.
""",
                ),
                Clause(
                    title="Parental Consent",
                    when="children",
                    text="""
Before we collect personal data from a child, we obtain verifiable consent from the child's parent or guardian, in accordance with the Children's Online Privacy Protection Act in the United States and with the GDPR and other laws that apply, except where the law allows us to collect limited information without that consent, for example a parent's contact details so that we can ask for their consent. If consent is not given within a reasonable time, we delete the information we collected for that purpose.
""",
                ),
                Clause(
                    title="Protections for Children's Data",
                    when="children",
                    text="""
We do not use personal data that we know relates to a child for targeted advertising, we do not sell or share it, and we do not let children make their personal data publicly available through the Service without the consent of a parent or guardian. We disclose a child's personal data to third parties only where this is necessary to provide the Service, such as to our service providers, or where the law requires it.
""",
                ),
                Clause(
                    title="Parents' Rights",
                    when="children",
                    text="""
A parent or guardian may at any time review the personal data we hold about their child, ask us to correct or delete it, and refuse to permit any further collection or use of it, by contacting us {contact_ref}. We will take reasonable steps to verify that the person making the request is the child's parent or guardian before acting on it.

If you believe that we have collected personal data from a child without the required consent, please contact us, and we will delete it as quickly as possible.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Changes to This Policy",
            clauses=(
                Clause(
                    title="Updates to This Policy",
                    text="""
We may update this Policy from time to time, for example to reflect changes to the Service, to our practices or to the law. When we do, we will publish the updated Policy on {website_ref} or within the Service and change the effective date shown at the top of this Policy. We encourage you to review this Policy regularly.
""",
                ),
                Clause(
                    title="Notice of Material Changes",
                    text="""
If we make a change that materially affects how we process your personal data or your rights, we will give you reasonable advance notice, for example by email or through a notice within the Service, before the change takes effect. Where the law requires your consent to a change, for example before we use personal data for a new purpose that is not compatible with the original one, we will ask for it.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Contact Us",
            clauses=(
                Clause(
                    title="Questions and Requests",
                    text="""
If you have any questions, concerns or complaints about this Policy or about how we handle your personal data, or if you wish to exercise any of your rights, please contact {company} {contact_ref}.{dpo_contact}

To help us deal with your enquiry quickly, please tell us which part of this Policy or which right your enquiry relates to, and give us enough information to identify you and your relationship with the Service.
""",
                ),
                Clause(
                    title="Our Response",
                    text="""
We aim to respond to all enquiries promptly and, in any event, within the time limits set by the law that applies to your request. If you are not satisfied with our response, you may have the right to take the matter further, including, where applicable, by lodging a complaint with a data protection authority or other competent regulator.
""",
                ),
            ),
        ),
    ),
)
