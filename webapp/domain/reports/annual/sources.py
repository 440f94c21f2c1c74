"""Where the annual report's figures beyond the requests come from, one function each:

- `annual_figures`: the figures the agency enters for the year — section 二's Art. 20 table
  (`proactive`) and the 2013 annex one (`annex_one`) (`reports/figures.py`);
- `enquiry_counts`: the enquiry log's counts for annex three (online, in person, phone, service info)
  (`reports/enquiries.py`);
- `fee_figures`: the information processing fees of the year for section 六 (`reports/fees.py`);
- `annex_one_rows`, `annex_three_rows`: the 2013 annexes' rows as the seed prints them.

Each reads the agencies' records of the year and answers zeros where nothing is recorded; the report
(`build.py`) calls them and nothing else.
"""

from webapp.domain.reports.enquiries import annex_three_rows, enquiry_counts
from webapp.domain.reports.fees import fee_figures
from webapp.domain.reports.figures import annex_one_rows, annual_figures

__all__ = ["annex_one_rows", "annex_three_rows", "annual_figures", "enquiry_counts", "fee_figures"]
