"""Collections pages under /collections/ (included by fengkong.urls)."""

from django.urls import path

from . import bill_views, dunning_views, plan_views, strategy_views, views

urlpatterns = [
    path("", views.worklist, name="collections-worklist"),
    path("cases/<int:pk>/", views.case_detail, name="collections-case"),
    path("cases/<int:pk>/take/", views.take_case, name="collections-case-take"),
    path("cases/<int:pk>/reassign/", views.reassign_case, name="collections-case-reassign"),
    path("customers/<key:code>/contact/", views.log_contact, name="collections-contact"),
    path("customers/<key:code>/promise/", views.record_promise, name="collections-promise"),
    path("customers/<key:code>/dispute/", views.open_dispute, name="collections-dispute-open"),
    path("attachments/<int:pk>/", views.attachment_download, name="collections-attachment"),
    path("disputes/", views.dispute_list, name="collections-disputes"),
    path("disputes/<int:pk>/", views.dispute_detail, name="collections-dispute"),
    path("disputes/<int:pk>/resolve/", views.dispute_resolve, name="collections-dispute-resolve"),
    path("cases/<int:pk>/behaviour/", strategy_views.set_behaviour, name="collections-case-behaviour"),
    path("performance/", views.performance, name="collections-performance"),
]

# Dunning (collections.dunning_views): the letter of today's figures, its log, pauses
urlpatterns += [
    path("customers/<key:code>/dunning/", dunning_views.dunning_page, name="collections-dunning"),
    path("customers/<key:code>/dunning/send/", dunning_views.dunning_send, name="collections-dunning-send"),
    path("customers/<key:code>/dunning/download/", dunning_views.dunning_download, name="collections-dunning-download"),
    path("customers/<key:code>/dunning/pause/", dunning_views.dunning_pause, name="collections-dunning-pause"),
    path("dunning/pauses/<int:pk>/end/", dunning_views.dunning_resume, name="collections-dunning-resume"),
    path("dunning/letters/<int:pk>/delivered/", dunning_views.dunning_delivered, name="collections-dunning-delivered"),
]

# Instalment plans (collections.plan_views): proposed on a case, approved by level, followed by the night
urlpatterns += [
    path("plans/", plan_views.plan_list, name="collections-plans"),
    path("customers/<key:code>/plans/new/", plan_views.plan_new, name="collections-plan-new"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="collections-plan"),
    path("plans/<int:pk>/approve/", plan_views.plan_approve, name="collections-plan-approve"),
    path("plans/<int:pk>/reject/", plan_views.plan_reject, name="collections-plan-reject"),
    path("plans/<int:pk>/cancel/", plan_views.plan_cancel, name="collections-plan-cancel"),
]

# Acceptance bills (collections.bill_views): recorded for a customer, presented, paid or dishonoured
urlpatterns += [
    path("bills/", bill_views.bill_list, name="collections-bills"),
    path("customers/<key:code>/bills/new/", bill_views.bill_new, name="collections-bill-new"),
    path("bills/<int:pk>/", bill_views.bill_detail, name="collections-bill"),
    path("bills/<int:pk>/present/", bill_views.bill_present, name="collections-bill-present"),
    path("bills/<int:pk>/paid/", bill_views.bill_paid, name="collections-bill-paid"),
    path("bills/<int:pk>/dishonour/", bill_views.bill_dishonour, name="collections-bill-dishonour"),
]
