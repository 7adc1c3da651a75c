from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from smartcoop.core.roles import Permission
from smartcoop.core.views import permission_required


@login_required
def member_index(request):
    return render(request, "invoicing/member_index.html")


@permission_required(Permission.APPROVE_INVOICES)
def staff_index(request):
    return render(request, "invoicing/staff_index.html")
