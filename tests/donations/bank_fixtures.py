"""Bank fixtures shared by the bank-transfer tests: a pool with the fund's account, a gift
expected by transfer, and statements written here in each format's own shape."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

FUND_IBAN = "DE89370400440532013000"
FUND_BIC = "COBADEFFXXX"
HOLDER = "Ayni Mutual Aid e.V."
CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def camt053(lines: list[dict], *, iban: str = FUND_IBAN, message_id: str = "STMT-2024-05-02") -> bytes:
    """A camt.053.001.02 statement with one entry per line: {amount, currency, text, ref, payer, day}."""
    entries = []
    for number, line in enumerate(lines):
        day = line.get("day", date(2024, 5, 2)).isoformat()
        indicator = line.get("direction", "CRDT")
        party = "Dbtr" if indicator == "CRDT" else "Cdtr"
        entries.append(f"""
      <Ntry>
        <NtryRef>{number + 1}</NtryRef>
        <Amt Ccy="{line.get('currency', 'EUR')}">{Decimal(line['amount']):.2f}</Amt>
        <CdtDbtInd>{indicator}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        <AcctSvcrRef>{line.get('ref', f'BANKREF{number:04d}')}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties><{party}><Nm>{line.get('payer', 'Jan Kowalski')}</Nm></{party}></RltdPties>
          <RmtInf><Ustrd>{line.get('text', '')}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{CAMT_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2024-05-02T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{message_id}-1</Id>
      <ElctrncSeqNb>42</ElctrncSeqNb>
      <CreDtTm>2024-05-02T18:00:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2024-05-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2024-05-02</Dt></Dt></Bal>{''.join(entries)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def mt940(lines: list[dict], *, iban: str = FUND_IBAN) -> bytes:
    """An MT940 statement (German :86: sub-fields) with one :61:/:86: pair per line."""
    body = [":20:STARTUMSE", f":25:{iban}", ":28C:00042/001", ":60F:C240501EUR1000,00"]
    for number, line in enumerate(lines):
        amount = f"{Decimal(line['amount']):.2f}".replace(".", ",")
        direction = "C" if line.get("direction", "CRDT") == "CRDT" else "D"
        body.append(f":61:2405020502{direction}{amount}NTRFNONREF//{line.get('ref', f'BANKREF{number:04d}')}")
        body.append(f":86:166?00GUTSCHRIFT?20{line.get('text', '')}?32{line.get('payer', 'JAN KOWALSKI')}")
    body += [":62F:C240502EUR1000,00", "-"]
    return ("\r\n".join(body) + "\r\n").encode()
