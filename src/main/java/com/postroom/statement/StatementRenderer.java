package com.postroom.statement;

import java.io.ByteArrayOutputStream;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.lowagie.text.Document;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.FontFactory;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import org.springframework.stereotype.Component;

/**
 * Renders a statement as subject, HTML, plain text and PDF: the words from the kind's template as the organization
 * has it now (see {@link StatementTemplates}), the PDF from the statement itself.
 */
@Component
class StatementRenderer {

    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("MMMM d, yyyy", Locale.US);

    private final StatementTemplates templates;

    StatementRenderer(StatementTemplates templates) {
        this.templates = templates;
    }

    record Rendered(String subject, String html, String text, byte[] pdf) {
    }

    Rendered render(long orgId, Statement s) {
        StatementTemplates.Rendered words = templates.render(templates.effective(orgId, s.template()), variables(s));
        return new Rendered(words.subject(), words.html(), words.text(), pdf(s));
    }

    /** The merge fields of ORIGINAL-API.md, plus the charges table. */
    static Map<String, Object> variables(Statement s) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("PatientName", s.patientName());
        v.put("ServiceDate", s.serviceDate() == null ? "" : DATE.format(s.serviceDate()));
        v.put("BalanceDue", Statement.money(s.balanceDue()));
        v.put("DueDate", s.dueDate() == null ? "" : DATE.format(s.dueDate()));
        v.put("StatementDate", s.statementDate() == null ? "" : DATE.format(s.statementDate()));
        v.put("CompanyName", s.companyName());
        v.put("CompanyPhone", s.companyPhone());
        v.put("CompanyEmail", s.companyEmail());
        v.put("StatementNumber", s.statementNumber());
        v.put("TotalCharges", Statement.money(s.totalCharges()));
        v.put("InsurancePaid", Statement.money(s.insurancePaid()));
        v.put("Adjustments", Statement.money(s.adjustments()));
        v.put("PaymentAmount", Statement.money(s.paymentAmount()));
        v.put("RemainingBalance", Statement.money(s.remainingBalance()));
        v.put("charges", s.charges().stream().map(c -> Map.of("service", c.service(),
                "date", c.date() == null ? "" : DATE.format(c.date()), "amount", Statement.money(c.amount()))).toList());
        return v;
    }

    static byte[] pdf(Statement s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Document document = new Document(PageSize.LETTER, 54, 54, 54, 54);
        PdfWriter.getInstance(document, out);
        document.open();
        Font title = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 18);
        Font bold = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 10);
        Font normal = FontFactory.getFont(FontFactory.HELVETICA, 10);
        document.add(new Paragraph("Patient Statement", title));
        document.add(new Paragraph(s.companyName(), bold));
        document.add(new Paragraph(" ", normal));
        PdfPTable info = new PdfPTable(2);
        info.setWidthPercentage(100);
        row(info, "Statement number", s.statementNumber(), normal);
        row(info, "Statement date", s.statementDate() == null ? "" : DATE.format(s.statementDate()), normal);
        row(info, "Due date", s.dueDate() == null ? "" : DATE.format(s.dueDate()), normal);
        row(info, "Patient", s.patientName(), normal);
        document.add(info);
        document.add(new Paragraph(" ", normal));
        PdfPTable charges = new PdfPTable(new float[] {5, 2, 2});
        charges.setWidthPercentage(100);
        for (String h : new String[] {"Service", "Date", "Amount"}) {
            charges.addCell(new PdfPCell(new Paragraph(h, bold)));
        }
        for (Statement.Charge c : s.charges()) {
            charges.addCell(new PdfPCell(new Paragraph(c.service(), normal)));
            charges.addCell(new PdfPCell(new Paragraph(c.date() == null ? "" : DATE.format(c.date()), normal)));
            PdfPCell amount = new PdfPCell(new Paragraph("$" + Statement.money(c.amount()), normal));
            amount.setHorizontalAlignment(Element.ALIGN_RIGHT);
            charges.addCell(amount);
        }
        document.add(charges);
        document.add(new Paragraph(" ", normal));
        PdfPTable totals = new PdfPTable(2);
        totals.setWidthPercentage(60);
        totals.setHorizontalAlignment(Element.ALIGN_RIGHT);
        row(totals, "Total charges", "$" + Statement.money(s.totalCharges()), normal);
        row(totals, "Insurance paid", "$" + Statement.money(s.insurancePaid()), normal);
        row(totals, "Adjustments", "$" + Statement.money(s.adjustments()), normal);
        row(totals, "Balance due", "$" + Statement.money(s.balanceDue()), bold);
        document.add(totals);
        document.add(new Paragraph(" ", normal));
        document.add(new Paragraph("Please remit payment within 30 days. Questions? Call " + s.companyPhone() + ".",
                normal));
        document.close();
        return out.toByteArray();
    }

    private static void row(PdfPTable table, String label, String value, Font font) {
        table.addCell(new PdfPCell(new Paragraph(label, font)));
        table.addCell(new PdfPCell(new Paragraph(value == null ? "" : value, font)));
    }
}
