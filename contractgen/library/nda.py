"""Non-Disclosure Agreement: the clause library for the offline template engine.

Each clause is Markdown with {placeholders} filled by `placeholders()`; optional
sections and clauses carry a `when` condition from CONDITIONS. Sections refer to
one another by title, never by number, because numbering depends on the options.

The agreement is either mutual (each Party is the Disclosing Party and the
Receiving Party in turn) or one-way (the company discloses, the other party
receives). Most clauses speak of "the Disclosing Party" and "the Receiving
Party" and so read correctly in both; the preamble and the roles clause differ.
"""

from __future__ import annotations

from . import Clause, Library, SectionTemplate, line_start

# The options of a Non-Disclosure Agreement (see NdaRequest), as conditions and values for the templates.
CONDITIONS = {
    "mutual": lambda r: r.mutual,
    "one_way": lambda r: not r.mutual,
    "non_solicit": lambda r: r.non_solicit,
    "no_non_solicit": lambda r: not r.non_solicit,
}


def _count(n: int, unit: str) -> str:
    """'1 year', '5 years', '30 days'."""
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def values(r) -> dict[str, str]:
    company = r.company
    counterparty = r.counterparty
    purpose = r.purpose
    email = r.contact_email
    website = r.website
    if r.mutual:
        company_role = counterparty_role = ""
        background = (
            f"The Parties wish to exchange certain confidential and proprietary information with one another in "
            f"connection with {purpose}. Each Party is willing to disclose its information to the other Party only "
            f"on the terms of this Agreement, which set out how that information may be used and how it must be "
            f"protected. Each Party may therefore act both as a \"Disclosing Party\" and as a \"Receiving Party\", as "
            f"described in the Purpose and Roles of the Parties section."
        )
    else:
        company_role = ' (the "Disclosing Party")'
        counterparty_role = ' (the "Receiving Party")'
        background = (
            f"{line_start(company)} wishes to disclose certain confidential and proprietary information to {counterparty} in "
            f"connection with {purpose}. {company} is willing to make that information available only on the terms "
            f"of this Agreement, under which {counterparty} undertakes to use it solely for that purpose and to keep "
            f"it confidential."
        )
    # The common fallback speaks of "our website", which does not fit a contract between two named parties.
    if email:
        contact_ref = f"by email to {email}"
    elif website:
        contact_ref = f"through the contact details published on its website at {website}"
    else:
        contact_ref = "to its registered office or principal place of business"
    return {
        "counterparty": counterparty,
        "purpose": purpose,
        "term_years": str(r.term_years),
        "confidentiality_years": str(r.confidentiality_years),
        "return_days": str(r.return_days),
        "term_period": _count(r.term_years, "year"),
        "confidentiality_period": _count(r.confidentiality_years, "year"),
        "return_period": _count(r.return_days, "day"),
        "company_role": company_role,
        "counterparty_role": counterparty_role,
        "background": background,
        "contact_ref": contact_ref,
    }


LIBRARY = Library(
    doc_type="nda",
    title="Non-Disclosure Agreement",
    conditions=CONDITIONS,
    values=values,
    defined_terms='"Agreement" (this document), "Effective Date", "Confidential Information", "Purpose", '
                  '"Representatives", "Affiliate", "Personal Data", "Party"/"Parties" (the company and the other party, '
                  'each named by its legal name), "Disclosing Party", "Receiving Party"',
    instructions="The Agreement is between the company and the other party named in the details (counterparty), "
                 "referred to by their legal names and as \"Party\"/\"Parties\", never as \"we\" or \"you\". "
                 "If mutual is true, each Party is the \"Disclosing Party\" and the \"Receiving Party\" in turn; "
                 "if it is false, the agreement is one-way: the company is the Disclosing Party and the other party "
                 "is the Receiving Party.",
    preamble="""
**Effective date:** {effective_date}

This Non-Disclosure Agreement (the "Agreement") is made as of {effective_date} (the "Effective Date") between **{company}**{company_role} and **{counterparty}**{counterparty_role}. {company} and {counterparty} are each referred to in this Agreement as a "Party" and together as the "Parties".

{background}

In consideration of the promises set out in this Agreement and the disclosure of Confidential Information under it, the Parties agree as follows.
""",
    sections=(
        SectionTemplate(
            title="Definitions and Interpretation",
            clauses=(
                Clause(
                    title="Confidential Information",
                    text="""
"Confidential Information" means all information, in any form or medium, whether written, oral, electronic, visual or obtained by inspection of premises, samples or systems, that is disclosed or made available, directly or indirectly, by or on behalf of the Disclosing Party to the Receiving Party or its Representatives, whether before, on or after the Effective Date, in connection with the Purpose, and that is marked or identified as confidential or would reasonably be regarded as confidential given its nature and the circumstances of its disclosure.

Confidential Information includes, in particular, business plans and strategies, financial information, forecasts and pricing, information about customers, suppliers and employees, products and services under development, software, source code, algorithms, designs, specifications, technical data, know-how, trade secrets, inventions and research. It also includes the existence and terms of this Agreement, the fact that the Parties are discussing the Purpose, and all notes, analyses, compilations and other materials prepared by or for the Receiving Party or its Representatives to the extent that they contain or reflect any of that information.
""",
                ),
                Clause(
                    title="Other Definitions",
                    text="""
In this Agreement, the following words have the following meanings:

- "Affiliate" means, in relation to a Party, any entity that directly or indirectly controls, is controlled by or is under common control with that Party, where "control" means the ownership of more than half of the voting rights of an entity or the power to direct its management and policies;
- "Data Protection Laws" means all laws and regulations relating to the processing of personal data that apply to a Party in connection with this Agreement, including, where applicable, Regulation (EU) 2016/679 (the General Data Protection Regulation) and any laws implementing or supplementing it;
- "Personal Data" means any information relating to an identified or identifiable natural person that forms part of the Confidential Information;
- "Purpose" means the purpose of {purpose}, and any activity reasonably incidental to it; and
- "Representatives" means, in relation to a Party, its Affiliates and its and their directors, officers, employees, professional advisers (including lawyers, accountants and auditors), and any contractors or consultants who are bound by written obligations of confidentiality and whom the Disclosing Party has approved in writing in advance.
""",
                ),
                Clause(
                    title="Interpretation",
                    text="""
Headings in this Agreement are for convenience only and do not affect its interpretation. Words in the singular include the plural and the other way around, and words such as "including" and "in particular" introduce examples and do not limit the generality of the words that come before them.

References to a section by its title are references to that section of this Agreement. References to "writing" or "written" include email, and references to a law include that law as amended, extended or re-enacted from time to time.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Purpose and Roles of the Parties",
            clauses=(
                Clause(
                    title="Disclosure for the Purpose",
                    text="""
Confidential Information is disclosed under this Agreement solely to enable the Receiving Party to carry out the Purpose. The Parties intend that this Agreement will govern all Confidential Information disclosed in connection with the Purpose, whether it is disclosed in a meeting, in a document, through a data room or by any other means, and whether the disclosure is made by the Disclosing Party itself or by its Representatives.
""",
                ),
                Clause(
                    title="Disclosing Party and Receiving Party",
                    when="mutual",
                    text="""
This is a mutual agreement: each Party expects both to disclose Confidential Information to the other Party and to receive Confidential Information from it. In relation to any item of Confidential Information, the Party that discloses it, or on whose behalf it is disclosed, is the "Disclosing Party", and the Party that receives it, directly or through its Representatives, is the "Receiving Party". Each of {company} and {counterparty} is therefore the Disclosing Party for its own Confidential Information and the Receiving Party for the Confidential Information of the other Party.

The obligations of the Receiving Party under this Agreement apply to each Party in respect of the Confidential Information that it receives, and the rights of the Disclosing Party may be exercised by each Party in respect of the Confidential Information that it discloses.
""",
                ),
                Clause(
                    title="Disclosing Party and Receiving Party",
                    when="one_way",
                    text="""
This is a one-way agreement. {company} is the "Disclosing Party", which will disclose or make available Confidential Information, and {counterparty} is the "Receiving Party", which will receive it, directly or through its Representatives. Confidential Information under this Agreement means the Confidential Information of {company}, including information disclosed on its behalf by its Affiliates or Representatives.

This Agreement does not oblige {company} to keep confidential any information that it receives from {counterparty}. If {counterparty} wishes to disclose its own confidential information in connection with the Purpose, it should not do so until the Parties have agreed in writing on terms for the protection of that information.
""",
                ),
                Clause(
                    title="No Obligation to Disclose or Proceed",
                    text="""
Nothing in this Agreement obliges the Disclosing Party to disclose any particular information, or obliges either Party to continue discussions about the Purpose or to enter into any further agreement or transaction. Either Party may end its discussions with the other Party at any time and for any reason by giving written notice.

Unless and until the Parties sign a definitive written agreement about the matters contemplated by the Purpose, neither Party will be under any legal obligation with respect to those matters, other than the obligations set out in this Agreement. Each Party bears its own costs in connection with this Agreement and the Purpose.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Exclusions",
            clauses=(
                Clause(
                    title="Information Not Covered",
                    text="""
The obligations of the Receiving Party under this Agreement do not apply to information that the Receiving Party can show:

- is or becomes generally available to the public other than as a result of a breach of this Agreement by the Receiving Party or its Representatives;
- was lawfully in the possession of the Receiving Party or its Representatives, free of any obligation of confidentiality, before it was disclosed by or on behalf of the Disclosing Party;
- is lawfully received by the Receiving Party or its Representatives from a third party who, to the Receiving Party's knowledge after reasonable inquiry, was not under any obligation of confidentiality in respect of it; or
- is independently developed by or for the Receiving Party by persons who had no access to the Confidential Information, as shown by contemporaneous written records.
""",
                ),
                Clause(
                    title="Specific Information and Combinations",
                    text="""
Confidential Information will not be treated as falling within any of the exclusions above merely because it is embraced by more general information that falls within them, or because individual features or parts of it are in the public domain or in the Receiving Party's possession, unless the combination itself and its principle of operation are publicly available or in the Receiving Party's lawful possession.
""",
                ),
                Clause(
                    title="Burden of Proof",
                    text="""
The Receiving Party bears the burden of showing, by documentary evidence, that any information falls within one of the exclusions in this section. Until it does so, the information must be treated as Confidential Information.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Obligations of the Receiving Party",
            clauses=(
                Clause(
                    title="Duty of Confidentiality",
                    text="""
The Receiving Party must keep the Confidential Information strictly confidential and must not disclose it, or allow it to be disclosed, in whole or in part, to any person other than as expressly permitted by the Permitted Disclosures section. This duty applies to Confidential Information disclosed before the Effective Date in connection with the Purpose as well as to Confidential Information disclosed afterwards.
""",
                ),
                Clause(
                    title="Use Only for the Purpose",
                    text="""
The Receiving Party must use the Confidential Information solely for the Purpose. In particular, it must not use the Confidential Information to compete with the Disclosing Party, to solicit its customers or suppliers, to obtain any commercial advantage over it, or for the benefit of any third party.

Where the Receiving Party is a company or other organization, it must ensure that the Confidential Information is made available within its organization only to those individuals who need to know it for the Purpose.
""",
                ),
                Clause(
                    title="Standard of Care",
                    text="""
The Receiving Party must protect the Confidential Information with at least the same degree of care that it uses to protect its own confidential information of a similar nature, and in any event with no less than a reasonable degree of care. This includes keeping documents and data secure, applying appropriate access controls, and protecting electronic copies with security measures that reflect the sensitivity of the information and current industry practice.
""",
                ),
                Clause(
                    title="Copies and Analysis",
                    text="""
The Receiving Party must not copy or reproduce the Confidential Information except to the extent reasonably necessary for the Purpose, and every copy must carry the same confidentiality notices as the original. The Receiving Party must not decompile, disassemble, reverse engineer or analyze the composition of any software, prototype, sample or other material provided to it, except to the extent that the Disclosing Party has agreed in writing or that applicable law expressly permits despite this restriction.
""",
                ),
                Clause(
                    title="Notice of Unauthorized Use or Disclosure",
                    text="""
The Receiving Party must notify the Disclosing Party in writing without undue delay on becoming aware of any actual or suspected loss, unauthorized use or unauthorized disclosure of Confidential Information. It must then take all reasonable steps to stop the unauthorized use or disclosure, to limit its consequences and to prevent it from happening again, and it must cooperate with the Disclosing Party in any action that the Disclosing Party reasonably takes to protect its Confidential Information.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Permitted Disclosures",
            clauses=(
                Clause(
                    title="Disclosure to Representatives",
                    text="""
The Receiving Party may disclose Confidential Information to those of its Representatives who need to know it for the Purpose, provided that before the disclosure it informs each of them of the confidential nature of the information, and that each of them is bound by obligations of confidentiality and restrictions on use no less protective than those in this Agreement, whether by contract or by professional duty.

The Receiving Party remains responsible for ensuring that its Representatives comply with those obligations, as described in the Remedies section.
""",
                ),
                Clause(
                    title="Disclosure Required by Law",
                    text="""
The Receiving Party may disclose Confidential Information to the extent that it is required to do so by law, by a court or governmental, regulatory or supervisory authority of competent jurisdiction, or by the rules of any stock exchange on which its securities are listed.

Before making any such disclosure, and to the extent that it is legally permitted to do so, the Receiving Party must give the Disclosing Party prompt written notice of the requirement, so that the Disclosing Party may seek a protective order or other appropriate remedy, and must cooperate with the Disclosing Party's reasonable efforts to do so at the Disclosing Party's expense. In any event, the Receiving Party must disclose only that part of the Confidential Information that it is legally required to disclose and must use reasonable efforts to obtain assurance that the information disclosed will be treated confidentially.
""",
                ),
                Clause(
                    title="Disclosure with Consent",
                    text="""
The Receiving Party may also disclose Confidential Information to any other person with the prior written consent of the Disclosing Party, which the Disclosing Party may give or withhold at its discretion, and then only on any conditions that the Disclosing Party attaches to that consent.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Term and Duration of Obligations",
            clauses=(
                Clause(
                    title="Term",
                    text="""
This Agreement begins on the Effective Date and, unless it is terminated earlier in accordance with this section, continues for a period of {term_period} (the "Disclosure Period"). This Agreement applies to Confidential Information disclosed during the Disclosure Period and to any Confidential Information disclosed in connection with the Purpose before the Effective Date.

Information disclosed after the end of the Disclosure Period is not protected by this Agreement unless the Parties agree in writing to extend it.
""",
                ),
                Clause(
                    title="Early Termination",
                    text="""
Either Party may terminate this Agreement at any time by giving written notice to the other Party. Termination brings the Disclosure Period to an end but does not affect the obligations of the Receiving Party in respect of Confidential Information disclosed before termination, nor any rights or remedies that either Party has accrued up to the date of termination.
""",
                ),
                Clause(
                    title="Duration of Confidentiality Obligations",
                    text="""
The obligations of the Receiving Party under this Agreement in respect of Confidential Information continue for a period of {confidentiality_period} after the end of the Disclosure Period, whether it ends on the expiry of this Agreement or on its earlier termination.

However, for any Confidential Information that constitutes a trade secret under applicable law, those obligations continue for as long as the information remains a trade secret, and for any Personal Data, they continue for as long as the Receiving Party or its Representatives hold that Personal Data.
""",
                ),
                Clause(
                    title="Survival",
                    text="""
The provisions of this Agreement that by their nature are intended to continue after its expiry or termination will survive it, including the provisions on Exclusions, Obligations of the Receiving Party, Permitted Disclosures, Return or Destruction of Confidential Information, No License and No Warranty, Remedies, Data Protection, and Governing Law and Jurisdiction, together with the General Provisions.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Return or Destruction of Confidential Information",
            clauses=(
                Clause(
                    title="Return or Destruction",
                    text="""
Within {return_period} after the Disclosing Party's written request, and in any event within {return_period} after the expiry or termination of this Agreement, the Receiving Party must, at the Disclosing Party's choice, return to the Disclosing Party or securely destroy all documents and materials containing or reflecting Confidential Information, including all copies, extracts and summaries, and must permanently delete all Confidential Information from its computer systems and devices and those of its Representatives, so far as reasonably practicable.
""",
                ),
                Clause(
                    title="Permitted Retention",
                    text="""
The Receiving Party and its Representatives may retain Confidential Information to the extent that they are required to do so by law, regulation or the rules of a professional body, and may retain copies held in automatic electronic back-up or archiving systems that cannot reasonably be deleted, provided that those copies are not accessed or used except as required by law or for the purpose of such back-up.

Any Confidential Information that is retained remains subject to the obligations of this Agreement for as long as it is retained, even if that is longer than the period described in the Term and Duration of Obligations section.
""",
                ),
                Clause(
                    title="Certification",
                    text="""
On the Disclosing Party's request, the Receiving Party must confirm in writing, signed by an authorized officer, that it has complied with its obligations in this section. Returning or destroying Confidential Information does not release the Receiving Party from any of its other obligations under this Agreement.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="No License and No Warranty",
            clauses=(
                Clause(
                    title="Ownership and No License",
                    text="""
All Confidential Information remains the property of the Disclosing Party (or of the third party that supplied it to the Disclosing Party). No license or other right under any patent, copyright, trade secret, trademark or other intellectual property right is granted or implied by this Agreement or by the disclosure of Confidential Information, except the limited right to use the Confidential Information for the Purpose in accordance with this Agreement.
""",
                ),
                Clause(
                    title="No Warranty",
                    text="""
Confidential Information is provided "as is". The Disclosing Party makes no representation or warranty, express or implied, as to the accuracy, completeness, performance or fitness for any purpose of the Confidential Information, or that its use will not infringe the rights of any third party, and it will have no liability to the Receiving Party or its Representatives resulting from the use of, or reliance on, the Confidential Information.

Only those representations and warranties that are made in a definitive written agreement signed by the Parties, if any, will have legal effect, subject to the limitations and restrictions specified in that agreement.
""",
                ),
                Clause(
                    title="Independent Activities",
                    text="""
Each Party acknowledges that the other Party may already be developing, or may in future develop, information, products or services that are similar to, or compete with, those that are the subject of the Confidential Information. Nothing in this Agreement restricts either Party from doing so, provided that it does so without using or disclosing any Confidential Information in breach of this Agreement.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Remedies",
            clauses=(
                Clause(
                    title="Injunctive Relief",
                    text="""
The Receiving Party acknowledges that the Confidential Information is valuable to the Disclosing Party and that damages alone may not be an adequate remedy for any breach or threatened breach of this Agreement. Accordingly, without prejudice to any other rights or remedies it may have, the Disclosing Party is entitled to seek injunctive relief, specific performance or other equitable relief from any court of competent jurisdiction for any actual or threatened breach of this Agreement, without proof of special damage and, to the extent permitted by law, without the need to post a bond or other security.
""",
                ),
                Clause(
                    title="Responsibility for Representatives",
                    text="""
The Receiving Party is responsible for any act or omission of its Representatives that would be a breach of this Agreement if it had been done or omitted by the Receiving Party, as if it were its own act or omission. The Receiving Party must, at its own expense, take all reasonable measures, including court proceedings where appropriate, to restrain its Representatives from any prohibited or unauthorized use or disclosure of Confidential Information.
""",
                ),
                Clause(
                    title="Remedies Cumulative",
                    text="""
The rights and remedies provided in this Agreement are in addition to, and do not exclude, any rights or remedies provided by law. If a court of competent jurisdiction determines in a final, non-appealable order that the Receiving Party has breached this Agreement, the Receiving Party will reimburse the Disclosing Party for the reasonable legal fees and costs it incurred in connection with the proceedings.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Non-Solicitation",
            when="non_solicit",
            clauses=(
                Clause(
                    title="Restriction on Solicitation",
                    text="""
During the Disclosure Period and for a period of 12 months after the expiry or termination of this Agreement, neither Party will, directly or indirectly, solicit or entice away, or attempt to solicit or entice away, any employee or individual contractor of the other Party with whom it had contact, or who became known to it, in connection with the Purpose, with a view to employing or engaging that person.
""",
                ),
                Clause(
                    title="Permitted Recruitment",
                    text="""
This restriction does not prevent either Party from placing general advertisements or job postings that are not targeted at the employees or contractors of the other Party, from using recruitment agencies that have not been directed to approach them, or from hiring any person who responds to such an advertisement or who approaches that Party on their own initiative, or whose employment or engagement with the other Party ended at least six months earlier.
""",
                ),
                Clause(
                    title="Reasonableness",
                    text="""
Each Party considers the restriction in this section reasonable and necessary to protect the legitimate interests of the other Party. If it is found to be unenforceable as written but would be enforceable if part of it were deleted or its duration or scope reduced, it will apply with the minimum modification needed to make it enforceable.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Data Protection",
            clauses=(
                Clause(
                    title="Personal Data Shared",
                    text="""
The Parties do not intend to share Personal Data under this Agreement beyond what is reasonably necessary for the Purpose, such as the business contact details of the individuals involved in it. Where Confidential Information includes Personal Data, each Party must comply with the Data Protection Laws that apply to it in relation to that Personal Data.

The Disclosing Party is responsible for ensuring that it has a lawful basis for disclosing the Personal Data and that it has given any notices and obtained any consents required for the disclosure. The Receiving Party must process the Personal Data only for the Purpose, must not keep it for longer than necessary for the Purpose, and must assist the Disclosing Party, at its reasonable request, in responding to requests from individuals exercising their rights under Data Protection Laws.
""",
                ),
                Clause(
                    title="Security and Personal Data Breaches",
                    text="""
The Receiving Party must implement appropriate technical and organizational measures to protect Personal Data against accidental or unlawful destruction, loss, alteration and unauthorized disclosure or access. If it becomes aware of any such breach affecting Personal Data received from the Disclosing Party, it must notify the Disclosing Party without undue delay, provide the information that the Disclosing Party reasonably needs to meet any obligation to notify authorities or individuals, and cooperate in remedying the breach.
""",
                ),
                Clause(
                    title="Further Data Protection Terms",
                    text="""
Each Party acts as an independent controller of any Personal Data it receives under this Agreement. If the Receiving Party is to process Personal Data on behalf of the Disclosing Party, or if any Personal Data is to be transferred to a country that does not provide an adequate level of protection under the applicable Data Protection Laws, the Parties will first enter into such additional written terms, such as a data processing agreement or standard contractual clauses, as those laws require.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Governing Law and Jurisdiction",
            clauses=(
                Clause(
                    title="Governing Law",
                    text="""
This Agreement, and any dispute or claim arising out of or in connection with it or its subject matter or formation, including non-contractual disputes or claims, is governed by and will be construed in accordance with the laws of {governing_law}, without regard to conflict-of-laws principles that would require the application of the laws of another jurisdiction.
""",
                ),
                Clause(
                    title="Jurisdiction",
                    text="""
Each Party irrevocably agrees that the competent courts of the jurisdiction in which {company} has its principal place of business ({country}) have exclusive jurisdiction to settle any dispute or claim arising out of or in connection with this Agreement or its subject matter or formation, and each Party submits to the jurisdiction of those courts.

Nothing in this section prevents either Party from seeking injunctive or other interim relief, as described in the Remedies section, from any court of competent jurisdiction, in order to protect its Confidential Information or its other rights.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="General Provisions",
            clauses=(
                Clause(
                    title="Entire Agreement and Amendment",
                    text="""
This Agreement is the entire agreement between the Parties relating to its subject matter and supersedes all prior agreements, understandings and arrangements between them, whether written or oral, relating to the confidentiality of information disclosed in connection with the Purpose. Each Party acknowledges that in entering into this Agreement it has not relied on any statement, representation or warranty that is not set out in this Agreement.

No amendment or variation of this Agreement is effective unless it is in writing and signed by an authorized representative of each Party.
""",
                ),
                Clause(
                    title="Assignment",
                    text="""
Neither Party may assign, transfer or otherwise deal with any of its rights or obligations under this Agreement without the prior written consent of the other Party, except that either Party may assign its rights under this Agreement to a successor to all or substantially all of its business or assets to which this Agreement relates, by giving written notice to the other Party. This Agreement binds and benefits the Parties and their respective successors and permitted assigns.
""",
                ),
                Clause(
                    title="Notices",
                    text="""
Any notice under this Agreement must be in writing. Notices to {company} must be sent {contact_ref}. Notices to {counterparty} must be sent to the email or postal address given for it in the Signatures section, or, if none is given, to its registered office or principal place of business. Either Party may change its address for notices by giving written notice to the other Party.

A notice is treated as received at the time of delivery if delivered by hand, two business days after posting if sent by prepaid registered or recorded delivery post, and at the time of transmission if sent by email, unless the sender receives notice that delivery failed.
""",
                ),
                Clause(
                    title="Severability, Waiver and Relationship",
                    text="""
If any provision of this Agreement is found to be invalid, illegal or unenforceable, it will be enforced to the maximum extent permissible, or modified to the minimum extent necessary to make it enforceable, and the remaining provisions will continue in full force and effect. No failure or delay by a Party in exercising any right or remedy under this Agreement operates as a waiver of it, and no single or partial exercise of any right or remedy prevents its further exercise.

Nothing in this Agreement creates a partnership, joint venture, agency or employment relationship between the Parties, and neither Party has authority to bind the other. A person who is not a Party has no right to enforce any term of this Agreement.
""",
                ),
                Clause(
                    title="Counterparts and Electronic Signature",
                    text="""
This Agreement may be signed in any number of counterparts, each of which is an original and all of which together constitute one and the same agreement. Each Party may sign this Agreement by electronic signature, and a signed copy delivered by email or through an electronic signature service is as effective as delivery of an original signed copy.
""",
                ),
            ),
        ),
        SectionTemplate(
            title="Signatures",
            clauses=(
                Clause(
                    title="Authority to Sign",
                    text="""
Each Party represents that the individual signing this Agreement on its behalf is duly authorized to do so and to bind that Party to its terms. This Agreement takes effect on the Effective Date once it has been signed by both Parties.
""",
                ),
                Clause(
                    title="Execution",
                    text="""
Signed by the duly authorized representatives of the Parties on the dates set out below.

| | For and on behalf of {company} | For and on behalf of {counterparty} |
|---|---|---|
| Signature | | |
| Name | | |
| Title | | |
| Date | | |
| Address for notices | | |
""",
                ),
            ),
        ),
    ),
)
