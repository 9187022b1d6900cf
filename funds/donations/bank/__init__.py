"""Money that arrives by bank transfer: a reference and an EPC QR code per gift, the bank's
statements read (CAMT.053, MT940) and matched to the gifts waiting for them.

Reading a statement (:mod:`.camt`, :mod:`.mt940`) keeps no Flask and no database: it turns bytes
into :class:`.statements.Credit` values. :mod:`.matching` decides what each credit is and books
what the treasurer confirms.
"""
