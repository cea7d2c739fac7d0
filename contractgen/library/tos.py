"""Terms of Service: the clause library for the offline template engine.

Each clause is Markdown with {placeholders} filled by `placeholders()`; optional
sections and clauses carry a `when` condition from CONDITIONS. Sections refer to
one another by title, never by number, because numbering depends on the options.
"""

from __future__ import annotations

from . import Clause, Library, SectionTemplate

# The options of a Terms of Service (see TermsRequest), as conditions and values for the templates.
CONDITIONS = {
    "accounts": lambda r: r.accounts,
    "no_accounts": lambda r: not r.accounts,
    "payments": lambda r: r.payments,
    "no_payments": lambda r: not r.payments,
    "refunds": lambda r: r.payments and r.refund_days > 0,
    "no_refunds": lambda r: r.payments and r.refund_days == 0,
    "user_content": lambda r: r.user_content,
    "no_user_content": lambda r: not r.user_content,
    "eu_users": lambda r: r.eu_users,
    "no_eu_users": lambda r: not r.eu_users,
}


def values(r) -> dict[str, str]:
    return {
        "min_age": str(r.minimum_age),
        "renewal": r.renewal,  # "monthly" | "annual"
        "renewal_period": "month" if r.renewal == "monthly" else "year",
        "refund_days": str(r.refund_days),
    }


LIBRARY = Library(
    doc_type="tos",
    title="Terms of Service",
    conditions=CONDITIONS,
    values=values,
    defined_terms='"Terms" (this document), "Service", "we"/"us"/"our" (the company), "you"/"your" (the user)',
    instructions="The Terms bind the company and each user of its online service; follow the options in the details "
                 "(accounts, paid subscriptions, user content, minimum age, EU consumers).",
    preamble="""
**Effective date:** {effective_date}

These Terms of Service (the "Terms") form a legally binding agreement between you and {company} ("we", "us" or "our"). They govern your access to and use of {product}, including any related websites, applications, software, content and features that we make available (together, the "Service"). More information about the Service is available on {website_ref}.

Please read these Terms carefully. They contain important information about your rights and obligations, including limitations of our liability and how disputes between you and us are resolved. If you do not agree to these Terms, you must not access or use the Service.
""",
    sections=(
        SectionTemplate(
            title="Acceptance of These Terms",
            clauses=(
                Clause(
                    title="Agreement to These Terms",
                    text="""
By accessing or using the Service in any way, or by clicking to accept or agree to these Terms where that option is made available to you, you confirm that you have read, understood and agree to be bound by these Terms. These Terms apply to all visitors, users and others who access the Service.

If you do not accept these Terms in full, you are not permitted to use the Service and you should stop using it immediately.
""",
                ),
                Clause(
                    title="Using the Service for an Organization",
                    text="""
If you use the Service on behalf of a company, organization or other legal entity, you represent and warrant that you have the authority to bind that entity to these Terms. In that case, "you" and "your" refer to that entity as well as to you personally, and the entity is responsible for the use of the Service by everyone who accesses it on its behalf.

If you do not have that authority, or if the entity does not agree to these Terms, you must not use the Service on its behalf.
""",
                ),
                Clause(
                    title="Additional Terms and Policies",
                    text="""
Some features of the Service may be subject to additional terms, guidelines or policies that we make available to you when you use those features, such as our Privacy Policy and any feature-specific rules. Those additional terms form part of these Terms and are incorporated into them by reference.

If there is a conflict between these Terms and any additional terms that apply to a particular feature, the additional terms will prevail for that feature only, unless they expressly state otherwise.
""",
                ),
                Clause(
                    title="How to Read These Terms",
                    text="""
Headings in these Terms are for convenience only and do not affect their meaning. Words such as "including" and "for example" introduce examples and do not limit the generality of the words that come before them. References to a section by its title are references to that section of these Terms.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Eligibility",
            clauses=(
                Clause(
                    title="Minimum Age",
                    text="""
You must be at least {min_age} years old to use the Service. By using the Service, you represent and warrant that you meet this requirement. The Service is not directed at anyone younger than {min_age}, and we do not knowingly allow them to use it.

If you are at least {min_age} years old but have not reached the age of legal majority where you live, you may use the Service only with the involvement and consent of a parent or legal guardian who has reviewed and agreed to these Terms on your behalf.
""",
                ),
                Clause(
                    title="Legal Capacity and Restrictions",
                    text="""
You may use the Service only if you are able to form a binding contract with us and you are not prohibited from using the Service under the laws that apply to you. In particular, you represent and warrant that:

- you are not located in a country or region that is subject to comprehensive trade sanctions, and you are not named on any government list of restricted or prohibited persons;
- you have not previously been suspended or removed from the Service by us, unless we have expressly agreed in writing that you may use it again; and
- your use of the Service will comply with all laws and regulations that apply to you, including export control laws.
""",
                ),
                Clause(
                    title="Verification",
                    text="""
We may ask you for information to confirm that you meet these eligibility requirements, and we may refuse, suspend or end your access to the Service if we reasonably believe that you do not meet them or that information you have given us is inaccurate.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Accounts",
            when="accounts",
            clauses=(
                Clause(
                    title="Creating an Account",
                    text="""
Some or all of the Service may require you to create an account. When you register, you agree to provide information that is accurate, complete and current, and to keep it up to date so that it remains accurate and complete.

We may refuse to open an account, or require you to change a username or other account detail, where we reasonably consider it necessary, for example because it impersonates another person, infringes someone else's rights or is offensive.
""",
                ),
                Clause(
                    title="Account Security",
                    text="""
You are responsible for keeping your password and other login credentials confidential and secure, and for any activity that takes place under your account. We recommend that you use a strong password that you do not use for any other service, and that you enable any additional security features we offer.

You must notify us without delay {contact_ref} if you become aware of any unauthorized access to or use of your account, or of any other breach of security. We are not liable for any loss or damage arising from your failure to protect your credentials, although you may remain entitled to rights that applicable law gives you.
""",
                ),
                Clause(
                    title="Personal Use of Accounts",
                    text="""
Your account is personal to you. You must not share your account with anyone else, allow anyone else to use your login credentials, or sell, transfer or assign your account to another person, unless a feature of the Service expressly permits it, such as a team or organization account with separate users.
""",
                ),
                Clause(
                    title="Closing Your Account",
                    text="""
You may close your account at any time, either through the account settings of the Service, where that option is available, or by contacting us {contact_ref}. The consequences of closing an account are described in the Termination section.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="The Service",
            clauses=(
                Clause(
                    title="Description of the Service",
                    text="""
The Service consists of {product}, together with the features, functionality and content that we make available from time to time. The current features of the Service are described on {website_ref} and within the Service itself.

We grant you access to the Service for your own use in accordance with these Terms. Any rights that are not expressly granted to you in these Terms are reserved by us and our licensors.
""",
                ),
                Clause(
                    title="Changes to the Service",
                    text="""
The Service is continually evolving. We may add, change or remove features or functionality, impose limits on certain features, or suspend or discontinue all or part of the Service, at any time and for any reason, including to improve the Service, to respond to security or legal requirements, or for commercial reasons.

Where a change will have a material adverse effect on your use of the Service, we will try to give you reasonable advance notice, unless the change is urgent, for example to address a security risk or to comply with the law.
""",
                ),
                Clause(
                    title="Availability and Support",
                    text="""
We aim to keep the Service available and working properly, but we do not guarantee that it will be available at all times or free from interruption. Access may be suspended or restricted from time to time for maintenance, repairs, upgrades or reasons beyond our reasonable control.

Any support we provide for the Service is offered on a reasonable-efforts basis, through the channels we make available, unless we have agreed otherwise with you in writing.
""",
                ),
                Clause(
                    title="Beta and Preview Features",
                    text="""
We may make features available on an early-access, beta, trial or preview basis. These features are provided for evaluation purposes, may be incomplete or contain errors, may be changed or withdrawn at any time, and are not subject to any commitments we make about the rest of the Service. You use them at your own risk.
""",
                ),
                Clause(
                    title="Third-Party Services and Links",
                    text="""
The Service may contain links to, or allow you to connect with or use, websites, applications, content or services that are provided by third parties and not by us ("Third-Party Services"). We do not control Third-Party Services and are not responsible for their content, availability, security or practices, and a link to a Third-Party Service does not mean that we endorse it.

Your use of any Third-Party Service is governed by the terms and privacy policy of its provider, and any dealings between you and that provider are solely between you and them. If you allow a Third-Party Service to access information from the Service, you authorize us to share that information with it as needed to provide the connection you requested.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Acceptable Use",
            clauses=(
                Clause(
                    title="General Standard",
                    text="""
You agree to use the Service only for lawful purposes and in accordance with these Terms. You are responsible for your own conduct while using the Service and for any consequences of that conduct.
""",
                ),
                Clause(
                    title="Prohibited Conduct",
                    text="""
When using the Service, you must not:

- break any applicable law or regulation, or encourage or help anyone else to do so;
- infringe or misappropriate the intellectual property, privacy or other rights of any person;
- harass, threaten, defame, deceive or harm any person, or post or transmit material that is unlawful, abusive, hateful, obscene or fraudulent;
- impersonate any person or entity, or misrepresent your identity or your affiliation with any person or entity;
- send spam, chain letters or other unsolicited commercial communications; or
- use the Service in any way that could expose us, our users or any third party to harm or legal liability.
""",
                ),
                Clause(
                    title="Technical Restrictions",
                    text="""
You must not interfere with the proper working of the Service or attempt to gain unauthorized access to it. In particular, you must not probe, scan or test the vulnerability of the Service or any related system, circumvent any security or access control measure, introduce viruses or other malicious code, or place an unreasonable load on our infrastructure.

Unless we have given you our written permission, you must also not copy, modify, decompile, reverse engineer or attempt to extract the source code of the Service, except to the extent that applicable law expressly permits this despite this restriction, and you must not use robots, scrapers or other automated means to access or collect data from the Service, other than through any interface we publish for that purpose.
""",
                ),
                Clause(
                    title="Investigation and Enforcement",
                    text="""
We may investigate any suspected breach of these Terms and take any action that we reasonably consider appropriate, including removing or disabling access to material, issuing warnings, suspending or ending your access to the Service, and reporting conduct to, or cooperating with, law enforcement or other competent authorities.

We are not obliged to monitor use of the Service, but we may do so, including to operate, protect and improve the Service and to enforce these Terms.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Subscriptions and Payments",
            when="payments",
            clauses=(
                Clause(
                    title="Fees, Billing and Taxes",
                    text="""
Certain features of the Service are available only with a paid subscription. The fees, the features included and the billing terms are described at the point of purchase. By purchasing a subscription, you authorize us, or our third-party payment processor, to charge the applicable fees to the payment method you provide. Fees are payable in advance and in the currency stated at the point of purchase.

Unless stated otherwise, fees do not include taxes, duties or similar charges, such as sales tax or value added tax, and you are responsible for paying any such amounts that apply to your purchase. If a payment fails or is reversed, we may retry the charge, ask you to update your payment method, and suspend access to paid features until the outstanding amount has been paid.
""",
                ),
                Clause(
                    title="Automatic Renewal",
                    text="""
Unless you cancel it, your {renewal} subscription renews automatically at the end of each subscription period for a further {renewal_period}, and we will charge the subscription fee then in effect to your payment method at the start of each new subscription period. You will be told the renewal terms before you subscribe, and you can check your renewal date at any time in the Service or by contacting us.

If your subscription begins with a free trial, it will convert into a paid subscription at the end of the trial unless you cancel before the trial ends, and the first charge will be made on that date.
""",
                ),
                Clause(
                    title="Cancellation",
                    text="""
You may cancel your subscription at any time within the Service, where that option is available, or by contacting us {contact_ref}. To avoid being charged for the next {renewal_period}, you must cancel before the end of your current subscription period.

When you cancel, automatic renewal stops, and you will keep access to paid features until the end of the subscription period you have already paid for. Cancelling a subscription does not by itself close any account you hold with us.
""",
                ),
                Clause(
                    title="Refunds",
                    when="refunds",
                    text="""
If you are not satisfied with your subscription, you may request a full refund of a subscription charge within {refund_days} days of the date of that charge by contacting us {contact_ref}. We will process an approved refund to your original payment method within a reasonable time, and your access to the paid features covered by that charge will end when the refund is issued.

After that period, fees are non-refundable, and we do not provide refunds or credits for partially used subscription periods, except where these Terms or applicable law require otherwise. We may decline refund requests that we reasonably believe are abusive, such as repeated requests for the same subscription.
""",
                ),
                Clause(
                    title="No Refunds",
                    when="no_refunds",
                    text="""
All fees are non-refundable. We do not provide refunds or credits for partially used subscription periods, for unused features, or if you stop using the Service without cancelling your subscription.

This does not affect any right to a refund that you may have under applicable law and that cannot be excluded by contract.
""",
                ),
                Clause(
                    title="Price Changes",
                    text="""
We may change our subscription fees from time to time. If we increase the fee for your subscription, we will give you reasonable advance notice, and the new fee will apply only from your next renewal after the notice period ends. If you do not agree to the new fee, you may cancel your subscription before it renews, as described in this section.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="User Content",
            when="user_content",
            clauses=(
                Clause(
                    title="Your Content",
                    text="""
The Service may allow you to upload, post, store, share or otherwise make available text, images, files, comments and other material ("User Content"). You keep all ownership rights you have in your User Content, and we do not claim ownership of it.

You are solely responsible for your User Content. You represent and warrant that you own it or have all the rights, licenses and permissions needed to make it available through the Service and to grant the license described in this section, and that your User Content, and our use of it as permitted by these Terms, will not infringe anyone's rights or break any law.
""",
                ),
                Clause(
                    title="License to Us",
                    text="""
By making User Content available through the Service, you grant {company} and its affiliates a worldwide, non-exclusive, royalty-free, transferable and sublicensable license to host, store, reproduce, modify, adapt, display, perform and distribute that User Content, solely for the purposes of operating, providing, securing and improving the Service. Where the Service lets you choose who can see your User Content, we will respect those settings.

This license continues for as long as your User Content remains on the Service, and for a reasonable period afterwards to allow for its removal from backups and caches. It also continues for any User Content that you have shared with others and that they have copied or kept.
""",
                ),
                Clause(
                    title="Moderation",
                    text="""
We do not review all User Content before it is published and we are not obliged to monitor it. However, we may review, restrict, refuse or remove any User Content at any time, without prior notice, if we reasonably believe that it breaches these Terms, is unlawful, or may harm us, our users or any third party.

Where we remove or restrict your User Content, we will tell you, and give you the reasons, where we are required to by law or where it is reasonable to do so. If you believe we have made a mistake, you can contact us {contact_ref} and we will review the decision.
""",
                ),
                Clause(
                    title="Notice and Takedown",
                    text="""
If you believe that any User Content infringes your copyright or other rights, or is otherwise unlawful, please notify us {contact_ref}. To help us act on your notice, please include:

- your name and contact details;
- a description of the right you believe has been infringed or of the reason the material is unlawful;
- information that lets us identify the material, such as its location in the Service; and
- a statement that the information in your notice is accurate and given in good faith, and, where you act for a rights holder, that you are authorized to do so.

We will review each notice promptly and take the action we consider appropriate, which may include removing the material. Where appropriate, we will give the user who provided the material an opportunity to respond, and we will end the access of users who repeatedly infringe the rights of others.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Intellectual Property",
            clauses=(
                Clause(
                    title="Our Intellectual Property",
                    text="""
The Service, including its software, design, text, graphics, logos and other content, but excluding any material provided by users, is owned by {company} or its licensors and is protected by copyright, trademark and other intellectual property laws. Except for the limited rights expressly granted to you in these Terms, nothing in these Terms transfers to you any right, title or interest in the Service.
""",
                ),
                Clause(
                    title="Your License to Use the Service",
                    text="""
Subject to your compliance with these Terms, we grant you a limited, personal, non-exclusive, non-transferable and revocable license to access and use the Service for your own personal purposes or, if you use the Service on behalf of an organization, for that organization's internal business purposes.

You must not sell, resell, rent, lease, sublicense or otherwise commercially exploit the Service, or make it available to anyone else, unless we have agreed to this in writing.
""",
                ),
                Clause(
                    title="Trademarks",
                    text="""
The name {company} and our logos, product names and other brand features are our trademarks. You may not use them without our prior written permission, except as permitted by law, for example to refer to the Service accurately and in a way that does not suggest that we sponsor or endorse you.
""",
                ),
                Clause(
                    title="Feedback",
                    text="""
We welcome suggestions, ideas and other feedback about the Service. If you provide feedback, you agree that we may use it for any purpose, without any obligation or payment to you. We are not required to treat feedback as confidential, so please do not send us information that you consider confidential or proprietary.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Privacy",
            clauses=(
                Clause(
                    title="Privacy Policy",
                    text="""
Our Privacy Policy explains how we collect, use, share and protect personal information when you use the Service, and the choices and rights you have in relation to that information. It is available on {website_ref}. Please read it carefully, as it forms part of your relationship with us.
""",
                ),
                Clause(
                    title="Electronic Communications",
                    text="""
By using the Service, you agree that we may communicate with you electronically, including by email and through notices within the Service, about matters relating to the Service and these Terms, such as security alerts, changes to features and administrative messages. Communications we send you electronically satisfy any legal requirement that such communications be in writing.

Where we send you marketing communications, we will do so only as permitted by law, and you can opt out of them at any time using the unsubscribe link or the settings we provide.
""",
                ),
                Clause(
                    title="Security of Your Information",
                    text="""
We use reasonable technical and organizational measures designed to protect the information processed through the Service. However, no method of transmission or storage is completely secure, and we cannot guarantee absolute security. You are responsible for keeping your own copies of any important information that you store in or transmit through the Service.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Disclaimers",
            clauses=(
                Clause(
                    title="Service Provided As Is",
                    text="""
**To the fullest extent permitted by applicable law, the Service is provided "as is" and "as available", without warranties of any kind, whether express, implied or statutory. We specifically disclaim all implied warranties of merchantability, fitness for a particular purpose, title, non-infringement and quiet enjoyment, and any warranties arising from a course of dealing or usage of trade.**

We do not warrant that the Service will be uninterrupted, timely, secure or error-free, that defects will be corrected, or that the Service or the servers that make it available are free of viruses or other harmful components.
""",
                ),
                Clause(
                    title="No Professional Advice",
                    text="""
Any information, content or output made available through the Service is provided for general information purposes only. It does not constitute legal, financial, medical or other professional advice, and you should not rely on it as a substitute for advice from a qualified professional. You are responsible for evaluating the accuracy, completeness and usefulness of any information or output before relying on it.
""",
                ),
                Clause(
                    title="Your Statutory Rights",
                    text="""
Some jurisdictions do not allow the exclusion of certain warranties or conditions, so some of the exclusions in this section may not apply to you. Nothing in these Terms affects any rights you have as a consumer that cannot be excluded or limited by contract under the law that applies to you.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Limitation of Liability",
            clauses=(
                Clause(
                    title="Excluded Losses",
                    text="""
**To the fullest extent permitted by applicable law, neither {company} nor its affiliates, officers, employees, agents, suppliers or licensors will be liable for any indirect, incidental, special, consequential, exemplary or punitive damages, or for any loss of profits, revenue, business, goodwill or data, arising out of or in connection with these Terms or your use of, or inability to use, the Service, even if we have been advised of the possibility of such damages.**

This exclusion applies whatever the legal theory on which the claim is based, whether contract, tort (including negligence), breach of statutory duty or otherwise.
""",
                ),
                Clause(
                    title="Cap on Liability",
                    text="""
**To the fullest extent permitted by applicable law, our total aggregate liability to you for all claims arising out of or in connection with these Terms or the Service is limited to the greater of (a) the total amount you paid us for the Service in the twelve months before the event giving rise to the claim and (b) one hundred US dollars (or the equivalent in your local currency).**

The limitations in this section reflect a reasonable allocation of risk between you and us and are an essential basis of the bargain between us. They apply even if a remedy set out in these Terms fails of its essential purpose.
""",
                ),
                Clause(
                    title="Liability We Do Not Limit",
                    text="""
Nothing in these Terms excludes or limits our liability for death or personal injury caused by our negligence, for fraud or fraudulent misrepresentation, or for any other liability that cannot be excluded or limited under applicable law. Where applicable law does not allow a particular exclusion or limitation, our liability is excluded or limited only to the maximum extent that the law allows.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Indemnification",
            clauses=(
                Clause(
                    title="Your Indemnity",
                    text="""
To the extent permitted by applicable law, you agree to defend, indemnify and hold harmless {company} and its affiliates, officers, employees and agents from and against any claims, liabilities, damages, losses and expenses, including reasonable legal fees, made by a third party and arising out of or relating to:

- your use or misuse of the Service;
- your breach of these Terms or of any applicable law or regulation; or
- your infringement of any intellectual property, privacy or other right of any person, including through any material you provide through the Service.
""",
                ),
                Clause(
                    title="Handling of Claims",
                    text="""
We will notify you promptly of any claim for which we seek indemnification and give you reasonable assistance, at your expense. We may choose to assume the exclusive defense and control of any matter for which you are required to indemnify us, in which case you agree to cooperate with our defense. You must not settle any such claim without our prior written consent.
""",
                ),
                Clause(
                    title="Consumers",
                    text="""
If you use the Service as a consumer, for purposes outside your trade, business, craft or profession, this section applies to you only to the extent that the law where you live permits, and only where the claim results from your fault.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Termination",
            clauses=(
                Clause(
                    title="Termination by You",
                    when="accounts",
                    text="""
You may stop using the Service at any time. If you wish to end these Terms completely, you may close your account as described in the Accounts section. If you hold a paid subscription, you should also cancel it so that it does not renew.
""",
                ),
                Clause(
                    title="Termination by You",
                    when="no_accounts",
                    text="""
You may stop using the Service at any time, and these Terms will then cease to apply to any further use of the Service by you, subject to the provisions described below as surviving termination.
""",
                ),
                Clause(
                    title="Suspension and Termination by Us",
                    text="""
We may suspend or end your access to all or part of the Service, with or without notice, if:

- you materially or repeatedly breach these Terms;
- we are required to do so by law or by a competent authority;
- your use of the Service creates a security, legal or reputational risk for us, our users or any third party; or
- we decide to discontinue the Service, or the part of it that you use.

Where reasonably possible, we will give you advance notice and the reasons for our decision, and, where the issue can be fixed, an opportunity to fix it. If we discontinue the Service for reasons other than your breach of these Terms, we will give you reasonable notice and refund any fees you have paid in advance for the period after the Service ends.
""",
                ),
                Clause(
                    title="Effect of Termination",
                    text="""
When your access to the Service ends, for whatever reason, your right to use the Service stops immediately. We may delete information associated with your use of the Service after a reasonable period, in accordance with our Privacy Policy and applicable law, so you should export any information you wish to keep before that happens, using any export tools we provide.

Termination does not entitle you to a refund of fees already paid, except where these Terms or applicable law provide otherwise, and it does not affect any rights or obligations that arose before termination.
""",
                ),
                Clause(
                    title="Survival",
                    text="""
Any provision of these Terms that by its nature should continue to apply after termination will continue to apply, including the provisions relating to intellectual property, the Disclaimers, Limitation of Liability and Indemnification sections, and the Governing Law and Disputes and General Provisions sections.
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
These Terms, and any dispute or claim arising out of or in connection with them or with the Service, including non-contractual disputes or claims, are governed by the laws of {governing_law}, without regard to conflict-of-laws principles that would require the application of the laws of another jurisdiction.
""",
                ),
                Clause(
                    title="Informal Resolution",
                    text="""
Most concerns can be resolved quickly and informally. Before bringing any formal proceedings, you agree to contact us {contact_ref} with a description of your concern and the outcome you are seeking, and we agree to try in good faith to resolve the matter with you.

If the dispute has not been resolved within thirty days after it was first raised, either of us may bring proceedings as described in this section. This step does not prevent either of us from seeking urgent injunctive or other interim relief from a competent court.
""",
                ),
                Clause(
                    title="Courts and Jurisdiction",
                    text="""
Subject to the informal resolution step described above, any dispute arising out of or in connection with these Terms or the Service will be subject to the exclusive jurisdiction of the competent courts of the country or jurisdiction from which we operate ({country}), and you and we each consent to the personal jurisdiction of those courts.

If you use the Service as a consumer, nothing in this section deprives you of the protection of mandatory provisions of the law of the country where you live, or of any right you have under that law to bring proceedings in the courts of that country.
""",
                ),
                Clause(
                    title="Individual Claims",
                    text="""
To the extent permitted by applicable law, you and we agree that each of us may bring claims against the other only in an individual capacity, and not as a plaintiff or class member in any purported class, collective or representative proceeding. This does not limit any right to collective redress that applicable law gives you and that cannot be waived by contract.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="EU Consumer Rights",
            when="eu_users",
            clauses=(
                Clause(
                    title="Scope of This Section",
                    text="""
This section applies if you are a consumer who lives in the European Union, meaning that you use the Service for purposes that are wholly or mainly outside your trade, business, craft or profession. If anything in this section conflicts with another part of these Terms, this section prevails.
""",
                ),
                Clause(
                    title="Right of Withdrawal",
                    text="""
You have the right to withdraw from your contract with us within 14 days without giving any reason. The withdrawal period expires 14 days after the day on which the contract is concluded. To exercise this right, you must inform us of your decision by a clear statement, which you can send to us {contact_ref}. You may use the model withdrawal form set out in Annex I(B) to Directive 2011/83/EU, but you are not obliged to. It is enough that you send your statement before the withdrawal period has expired.

If you withdraw, we will reimburse all payments received from you for the contract without undue delay, and in any event no later than 14 days after the day on which we are informed of your decision. We will use the same means of payment that you used for the original transaction, unless you have expressly agreed otherwise, and you will not incur any fees as a result of the reimbursement.

If you asked us to begin providing the Service during the withdrawal period, you must pay us an amount proportionate to what was provided until you told us you were withdrawing, compared with the full coverage of the contract. Where we supply digital content that is not a service, and you expressly agreed to its supply beginning during the withdrawal period and acknowledged that you would thereby lose your right of withdrawal, that right ends once supply has begun.
""",
                ),
                Clause(
                    title="Mandatory Consumer Protection",
                    text="""
Nothing in these Terms affects the rights you have as a consumer under the mandatory laws of the country where you live, including your statutory rights where the Service or any digital content we supply does not conform to the contract. Where the law of your country of residence gives you greater protection than the law chosen in the Governing Law and Disputes section, you keep the benefit of that protection, and you may bring proceedings in the courts of the country where you live.

The limitations and exclusions in the Disclaimers and Limitation of Liability sections do not apply to loss or damage caused by our intentional misconduct or gross negligence, or by our breach of an obligation that is essential to the proper performance of the contract, and they apply to you only to the extent permitted by the law that applies to you.
""",
                ),
                Clause(
                    title="Out-of-Court Dispute Resolution",
                    text="""
The European Commission's Online Dispute Resolution (ODR) platform for consumer disputes about online purchases was discontinued on 20 July 2025, so it is no longer available for complaints about the Service. You may still be able to refer a dispute to an alternative dispute resolution body in your country of residence.

We are not obliged to take part in dispute resolution proceedings before a consumer arbitration or alternative dispute resolution body, but we will consider any such request in good faith. In any event, we encourage you to contact us first, as described in the Informal Resolution part of the Governing Law and Disputes section.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Changes to These Terms",
            clauses=(
                Clause(
                    title="Updates to These Terms",
                    text="""
We may update these Terms from time to time, for example to reflect changes to the Service, to our business or to the law. When we do, we will publish the updated Terms on {website_ref} or within the Service and change the effective date shown at the top of these Terms.
""",
                ),
                Clause(
                    title="Notice of Material Changes",
                    text="""
If we make a change that materially affects your rights or obligations, we will give you reasonable advance notice, for example by email or through a notice within the Service, before the change takes effect. Changes made for legal or security reasons, or changes that relate to new features, may take effect immediately.
""",
                ),
                Clause(
                    title="Your Choices",
                    text="""
If you continue to use the Service after the updated Terms take effect, you will be bound by them. If you do not agree to the updated Terms, you must stop using the Service before they take effect and, if you have an account or a subscription, you may close or cancel it, as described elsewhere in these Terms.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="General Provisions",
            clauses=(
                Clause(
                    title="Entire Agreement",
                    text="""
These Terms, together with the Privacy Policy and any additional terms referred to in the Acceptance of These Terms section, are the entire agreement between you and us regarding the Service, and they replace any prior agreements, understandings or representations about the Service, whether written or oral.
""",
                ),
                Clause(
                    title="Assignment",
                    text="""
You may not assign or transfer these Terms, or any of your rights or obligations under them, without our prior written consent. We may assign or transfer these Terms, in whole or in part, including in connection with a merger, acquisition, reorganization or sale of assets, provided that this does not reduce your rights under these Terms.
""",
                ),
                Clause(
                    title="Severability and Waiver",
                    text="""
If any provision of these Terms is found to be invalid, illegal or unenforceable, that provision will be enforced to the maximum extent permissible, or modified to the minimum extent necessary to make it enforceable, and the other provisions of these Terms will remain in full force and effect.

If we do not insist immediately that you do something you are required to do under these Terms, or if we delay taking action against you for a breach, that does not mean that we have waived our rights, and we may still take action later.
""",
                ),
                Clause(
                    title="Events Beyond Our Control",
                    text="""
We are not responsible for any failure or delay in performing our obligations under these Terms that is caused by events beyond our reasonable control, such as natural disasters, epidemics, war, terrorism, civil unrest, labor disputes, failures of public networks or utilities, actions of governmental authorities, or failures of third-party hosting or service providers.
""",
                ),
                Clause(
                    title="Relationship and Third Parties",
                    text="""
Nothing in these Terms creates a partnership, joint venture, employment or agency relationship between you and us. These Terms do not give any rights to any third party, except that our affiliates, officers, employees, agents, suppliers and licensors may rely on the provisions of these Terms that are expressed to protect them.

If these Terms are translated into another language, the English version prevails in the event of any inconsistency, to the extent permitted by applicable law.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Contact",
            clauses=(
                Clause(
                    title="Contact Us",
                    text="""
If you have any questions, complaints or comments about these Terms or the Service, please contact {company} {contact_ref}. We aim to respond to all enquiries within a reasonable time.

Further information about the Service, including our Privacy Policy, is available on {website_ref}.
""",
                ),
                Clause(
                    title="Legal Notices",
                    text="""
If you need to send us a legal notice under these Terms, please contact us {contact_ref} and mark your notice for the attention of our legal department. We may give notices to you by email to the address you have provided to us, or by posting them within the Service or on {website_ref}. Notices sent by email are treated as received on the day they are sent, unless the sender is notified that delivery failed.
""",
                ),
            ),
        ),
    ),
)
